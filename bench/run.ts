/**
 * `npm run bench` (through scripts/bench.sh, which builds and starts the store): the three ways over
 * both databases and every size, then the terminal table, `results.md`, `results.json` and the chart.
 *
 *   --big     add the 1 GB case
 *   --quick   a few samples and a database a tenth of the size, written to the scratch folder only
 *   --out DIR where the reports go (default: bench/, or the scratch folder with --quick)
 *   --render FILE  write the reports again from a results.json, measuring nothing
 */
import "../local/quiet-sdk-warning";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SCANNER_TIMEOUT_SECONDS } from "../core/sizing";
import { pipelineBuckets, prepareBuckets } from "../local/buckets";
import { scannerFunction } from "../local/functions";
import { parseLocalSettings } from "../local/settings";
import { readStore, s3Client } from "../local/store";
import { describeMachine } from "./machine";
import { benchPlan } from "./plan";
import { type Measured, writeReports } from "./report/write";
import { probeStore, type StoreProbe } from "./store-probe";
import { runDatabase } from "./suite";
import { scannerLayer } from "./tools";
import type { CaseRow, DatabaseRow } from "./types";

const PROJECT_ROOT = resolve(__dirname, "..");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      big: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      render: { type: "string" },
    },
  });
  if (values.render) {
    // Reports again from a run's own numbers, e.g. after a change to how they are written.
    const measured = JSON.parse(await readFile(resolve(values.render), "utf8")) as Measured;
    await writeReports(measured, resolve(values.out ?? dirname(resolve(values.render))));
    return;
  }
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

  await writeReports(
    {
      startedAt: started.toISOString(),
      durationS: (Date.now() - started.getTime()) / 1000,
      quick,
      machine: { ...machine, loadAverageEnd: describeMachine(layer.clamavVersion).loadAverage },
      store: storeProbe as StoreProbe,
      databases,
      rows,
    },
    outDir,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
