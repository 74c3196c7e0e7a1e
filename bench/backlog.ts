/**
 * `npm run bench:backlog`: backlog throughput of local mode's batch runner, with 1 and 2 execution
 * environments, for small (1 KB) and mixed (1 KB to 4 MB) objects, against the local store. It starts
 * a pipeline of its own (`.local/bench-backlog`, for the definitions, the stamp key and the store),
 * fills one fresh bucket per case as the bucket owner, grants the scanner on it as `protect --local`
 * does, and times a `scan-existing` run of the batch runner with a pool of the given size. Writes
 * `bench/results.backlog.json` and its section of `bench/results.md`. `--quick`: a tenth of the objects.
 */
import "../local/quiet-sdk-warning";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { mergePolicy } from "../core/access-rule";
import { currentArchitecture } from "../core/layer-layout";
import { DEFAULT_TAG_SCHEMA } from "../core/tags";
import { BacklogRunner } from "../local/backlog";
import { adoptedBucketStatements, pipelineBuckets } from "../local/buckets";
import { scannerFunction } from "../local/functions";
import { FunctionPool } from "../local/lambda/pool";
import { type Logger, lineWriter } from "../local/log";
import { localPaths, PROJECT_ROOT } from "../local/paths";
import { readPipeline } from "../local/pipeline";
import { parseLocalSettings } from "../local/settings";
import { EICAR } from "../local/signatures";
import { readStore, s3Client } from "../local/store/index";
import { type BacklogCase, type BacklogResults, withBacklogSection } from "./backlog-report";
import { describeMachine } from "./machine";

const quick = process.argv.includes("--quick");
const ROOT = join(PROJECT_ROOT, ".local/bench-backlog");
const paths = localPaths(ROOT);
const quiet: Logger = { info() {}, warn() {}, error() {}, close: async () => {} };

/** The objects of one case: sizes and which carry EICAR (every tenth). */
function objectsOf(mix: string): Array<{ size: number; infected: boolean }> {
  const count = Math.round((mix === "small" ? 300 : 150) * (quick ? 0.1 : 1));
  const mixed = [1024, 16 * 1024, 256 * 1024, 1024 ** 2, 4 * 1024 ** 2];
  return Array.from({ length: count }, (_, i) => ({
    size: mix === "small" ? 1024 : mixed[i % mixed.length],
    infected: i % 10 === 0,
  }));
}

function body(size: number, infected: boolean): Buffer {
  // Random bytes: clamd caches clean results by hash, and a cached result is not a scan.
  const b = randomBytes(size);
  if (infected) Buffer.from(EICAR, "latin1").copy(b, Math.floor(size / 2) - EICAR.length);
  return infected && size < 128 ? Buffer.from(EICAR, "latin1") : b;
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

async function main(): Promise<void> {
  const started = !readPipeline(paths);
  const start = spawnSync("bash", ["scripts/start.sh"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, BW_LOCAL_DIR: ROOT },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (start.status !== 0) throw new Error("npm start failed for the benchmark's pipeline");
  const info = readPipeline(paths);
  if (!info) throw new Error("the benchmark's pipeline wrote no pipeline.json");
  const arch = currentArchitecture();
  if (!arch) throw new Error(`no Lambda architecture for ${process.arch}`);
  const store = readStore(paths.storeDir);
  const buckets = pipelineBuckets(parseLocalSettings({ ...process.env }), store);
  const owner = s3Client(store, "owner");
  const machine = describeMachine("from the scanner layer");
  const cases: BacklogCase[] = [];
  const fnLog = lineWriter(join(paths.logDir, "bench-backlog-scanner.log"));
  try {
    for (const environments of [1, 2]) {
      for (const mix of ["small", "mixed"]) {
        const bucket = `bench-${mix}-${environments}-${Date.now().toString(36)}`;
        await owner.send(new CreateBucketCommand({ Bucket: bucket }));
        await owner.send(
          new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
        );
        const grants = adoptedBucketStatements(buckets, bucket, { rule: false, preExistingReadable: false });
        await owner.send(
          new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(mergePolicy(grants, [])) }),
        );
        const objects = objectsOf(mix);
        await forEachLimit(objects, 16, async (o, i) => {
          await owner.send(
            new PutObjectCommand({ Bucket: bucket, Key: `o/${i}`, Body: body(o.size, o.infected) }),
          );
        });

        const tmpRoot = join(ROOT, "bench-env");
        rmSync(tmpRoot, { recursive: true, force: true });
        const pool = new FunctionPool(
          scannerFunction({
            projectRoot: PROJECT_ROOT,
            arch,
            store,
            definitionsBucket: buckets.definitionsBucket,
            timeoutSeconds: 900,
          }),
          { concurrency: environments, tmpRoot, log: fnLog.line },
        );
        const w0 = performance.now();
        await pool.provision();
        // As the runner warms its scanners: an event naming no object loads the engine.
        await Promise.all(Array.from({ length: environments }, () => pool.invoke({ Records: [] })));
        const warmUpSeconds = (performance.now() - w0) / 1000;

        const runsDir = join(ROOT, "bench-runs");
        const runner = new BacklogRunner({
          runsDir,
          pool: async () => pool,
          lister: owner,
          tagReader: s3Client(store, "scanner"),
          tags: DEFAULT_TAG_SCHEMA,
          log: quiet,
        });
        const t0 = performance.now();
        const job = runner.start({ kind: "scan-existing", bucket });
        await runner.settled(job.id);
        const seconds = (performance.now() - t0) / 1000;
        await pool.shutdown();
        const summary = runner.view(job.id)?.summary;
        if (!summary) throw new Error(`run ${job.id} did not finish`);
        const expectedInfected = objects.filter((o) => o.infected).length;
        if (summary.scanned !== objects.length || summary.infected !== expectedInfected)
          throw new Error(`wrong verdicts in ${bucket}: ${JSON.stringify(summary)}`);
        const bytes = objects.reduce((a, o) => a + o.size, 0);
        const c: BacklogCase = {
          mix,
          environments,
          objects: objects.length,
          bytes,
          infected: summary.infected,
          seconds,
          objectsPerSecond: objects.length / seconds,
          megabytesPerSecond: bytes / 1024 ** 2 / seconds,
          failed: summary.failed,
          warmUpSeconds,
        };
        cases.push(c);
        console.log(
          `${mix}, ${environments} environment(s): ${c.objects} objects in ${seconds.toFixed(1)} s = ${c.objectsPerSecond.toFixed(1)} objects/s`,
        );
      }
    }
  } finally {
    await fnLog.close();
    if (started)
      spawnSync("bash", ["scripts/stop.sh"], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, BW_LOCAL_DIR: ROOT },
      });
  }
  const results: BacklogResults = {
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageEnd: describeMachine("").loadAverage },
    definitions: "local mode's TEST signatures",
    cases,
  };
  if (quick) {
    console.log("--quick: a trial, not a result; bench/ left as it was");
    return;
  }
  const dir = join(PROJECT_ROOT, "bench");
  writeFileSync(join(dir, "results.backlog.json"), `${JSON.stringify(results, null, 2)}\n`);
  const md = join(dir, "results.md");
  writeFileSync(md, withBacklogSection(existsSync(md) ? readFileSync(md, "utf8") : "", results));
  console.log("Wrote bench/results.backlog.json and its section of bench/results.md");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
