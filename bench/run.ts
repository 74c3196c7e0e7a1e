/**
 * `npm run bench` (through scripts/bench.sh, which builds and starts the store): the three ways over
 * both databases and every size, then the terminal table, `results.md`, `results.json` and the chart.
 *
 *   --big     add the 1 GB case
 *   --quick   a few samples and a database a tenth of the size, written to the scratch folder only
 *   --out DIR where the reports go (default: bench/, or the scratch folder with --quick)
 */
import "../local/quiet-sdk-warning";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SCANNER_TIMEOUT_SECONDS } from "../core/sizing";
import { pipelineBuckets, prepareBuckets } from "../local/buckets";
import { scannerFunction } from "../local/functions";
import { parseLocalSettings } from "../local/settings";
import { readStore, s3Client } from "../local/store";
import { GUARDDUTY_S3_PRICING, LAMBDA_PRICING } from "./cost";
import { OFFICIAL_SIZED_DATABASE } from "./database";
import { describeMachine } from "./machine";
import { benchNotes } from "./notes";
import { benchPlan } from "./plan";
import { writeLatencyChart } from "./report/chart";
import { headline, renderMarkdown } from "./report/markdown";
import { CASE_HEADERS, caseCells, DATABASE_HEADERS, databaseCells, textTable } from "./report/table";
import { probeStore, type StoreProbe } from "./store-probe";
import { runDatabase } from "./suite";
import { judgeTargets } from "./targets";
import { scannerLayer } from "./tools";
import type { BenchResults, CaseRow, DatabaseRow } from "./types";

const PROJECT_ROOT = resolve(__dirname, "..");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      big: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const quick = values.quick ?? false;
  const storeDir = process.env.BW_BENCH_STORE_DIR;
  if (!storeDir) throw new Error("BW_BENCH_STORE_DIR is not set: run the benchmark with npm run bench");
  const scratchDir = resolve(process.env.BW_BENCH_SCRATCH_DIR || "/tmp/bucketwarden-bench");
  const outDir = resolve(values.out ?? (quick ? scratchDir : join(PROJECT_ROOT, "bench")));
  await mkdir(scratchDir, { recursive: true });
  await mkdir(outDir, { recursive: true });

  const started = new Date();
  const store = readStore(storeDir);
  const layer = scannerLayer(PROJECT_ROOT);
  const machine = describeMachine(layer.clamavVersion);
  const plan = benchPlan({ big: values.big ?? false, quick });
  const clients = {
    owner: s3Client(store, "owner"),
    scanner: s3Client(store, "scanner"),
    uploader: s3Client(store, "uploader"),
  };
  const log = (line: string) =>
    console.log(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0)}s] ${line}`);

  let storeProbe: StoreProbe | undefined;
  const databases: DatabaseRow[] = [];
  const rows: CaseRow[] = [];
  for (const [i, db] of plan.databases.entries()) {
    // One definitions bucket per database, each set up exactly as local mode sets up its own.
    const buckets = pipelineBuckets(
      parseLocalSettings({
        BW_LOCAL_UPLOAD_BUCKET: "bench-uploads",
        BW_LOCAL_DEFINITIONS_BUCKET: `bench-definitions-${i}`,
      }),
      store,
    );
    await prepareBuckets(clients.owner, buckets);
    if (!storeProbe) {
      storeProbe = await probeStore(clients, buckets.uploadBucket, scratchDir);
      log(
        `store: HeadObject ${storeProbe.headMs.toFixed(1)} ms, GetObjectTagging ${storeProbe.smallBodyMs.toFixed(1)} ms, ` +
          `GET 100 MB ${storeProbe.get100MBps.toFixed(0)} MB/s`,
      );
    }
    const result = await runDatabase(
      {
        projectRoot: PROJECT_ROOT,
        store,
        layer,
        scratchDir,
        uploadBucket: buckets.uploadBucket,
        scannerFunction: scannerFunction({
          projectRoot: PROJECT_ROOT,
          arch: layer.arch,
          store,
          definitionsBucket: buckets.definitionsBucket,
          // Lambda's maximum, as the component's default: a cold start loads the whole database.
          timeoutSeconds: DEFAULT_SCANNER_TIMEOUT_SECONDS,
        }),
        definitionsBucket: buckets.definitionsBucket,
        definitionsPrefix: buckets.definitionsPrefix,
        clients,
        index: i,
        log,
      },
      db,
      plan.sizes,
    );
    databases.push(result.database);
    rows.push(...result.rows);
  }

  const official = plan.databases[plan.databases.length - 1].spec.name;
  const targets = judgeTargets(rows, official);
  const results: BenchResults = {
    startedAt: started.toISOString(),
    durationS: (Date.now() - started.getTime()) / 1000,
    machine: { ...machine, loadAverageEnd: describeMachine(layer.clamavVersion).loadAverage },
    speedupWarmVsSeed: targets.speedupWarmVsSeed.value,
    warmOverheadMs: targets.warmOverheadMs.value,
    targets,
    pricing: { lambda: LAMBDA_PRICING, guardDuty: GUARDDUTY_S3_PRICING },
    store: storeProbe as StoreProbe,
    databases,
    rows,
    notes: benchNotes({
      quick,
      official: OFFICIAL_SIZED_DATABASE,
      rows,
      databases,
      store: storeProbe as StoreProbe,
    }),
  };

  await writeFile(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(outDir, "results.md"), renderMarkdown(results, official, "latency.png"));
  await writeLatencyChart(
    rows,
    join(outDir, "latency.png"),
    "Scan latency by object size (p50 line, p95 tick)",
  );

  console.log("");
  console.log(textTable(DATABASE_HEADERS, databases.map(databaseCells)));
  console.log("");
  console.log(textTable(CASE_HEADERS, rows.map(caseCells)));
  console.log("");
  console.log(headline(results, official).replace(/\*\*/g, ""));
  for (const [name, t] of Object.entries(targets)) console.log(`  ${t.met ? "met    " : "MISSED "} ${name}`);
  console.log(`\nWrote ${join(outDir, "results.md")}, results.json and latency.png`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
