/**
 * One database through the three ways: publish it, start the raw clamd and the warm scanner, then
 * for every size run the samples interleaved (raw, warm, seed-style on the same object), so that
 * whatever else the shared CPU is doing hits all three alike.
 */
import { createReadStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DEFAULT_SCANNER_MEMORY_MB } from "../core/sizing";
import { ScanStatus } from "../core/verdict";
import type { FunctionDefinition } from "../local/lambda/function";
import type { StoreInfo } from "../local/store";
import { guardDutyCostPerThousand, lambdaCostPerThousand } from "./cost";
import { ensureDatabase, publishBenchDatabase } from "./definitions";
import { writeObjectFile } from "./objects";
import type { DatabaseCase, SizeCase } from "./plan";
import { PeakSampler, type Peaks } from "./sampler";
import { MB, mbPerSecond, summarize } from "./stats";
import type { ScannerLayer } from "./tools";
import { type CaseRow, type DatabaseRow, type Sample, type Way, Ways } from "./types";
import { RawClamd } from "./ways/raw-clamd";
import { seedStyleScan } from "./ways/seed-style";
import { WarmScanner } from "./ways/warm";

export interface SuiteContext {
  projectRoot: string;
  store: StoreInfo;
  layer: ScannerLayer;
  /** Scratch folder of this run (databases, objects, the environments' `/tmp`). */
  scratchDir: string;
  uploadBucket: string;
  /** The scanner as local mode deploys it, pointed at this database's definitions bucket. */
  scannerFunction: FunctionDefinition;
  /** The database's definitions bucket; the prefix is the handlers' default. */
  definitionsBucket: string;
  definitionsPrefix: string;
  clients: { owner: S3Client; scanner: S3Client; uploader: S3Client };
  /** The database's position in the run, for short folder names. */
  index: number;
  log: (line: string) => void;
}

interface Uploaded {
  bucket: string;
  key: string;
  versionId?: string;
  size: number;
}

async function upload(ctx: SuiteContext, key: string, path: string): Promise<Uploaded> {
  const size = (await stat(path)).size;
  const put = await ctx.clients.uploader.send(
    new PutObjectCommand({
      Bucket: ctx.uploadBucket,
      Key: key,
      Body: createReadStream(path),
      ContentLength: size,
    }),
  );
  return { bucket: ctx.uploadBucket, key, versionId: put.VersionId, size };
}

async function remove(ctx: SuiteContext, o: Uploaded): Promise<void> {
  await ctx.clients.uploader.send(
    new DeleteObjectCommand({ Bucket: o.bucket, Key: o.key, VersionId: o.versionId }),
  );
}

function check(way: Way, infected: boolean, found: boolean, what: string): void {
  // A benchmark of wrong answers is worthless: stop at the first one.
  if (found !== infected) throw new Error(`${way} called ${what} ${found ? "infected" : "clean"}`);
}

function row(
  database: string,
  way: Way,
  size: SizeCase,
  samples: Array<Sample & { infected: boolean }>,
  peaks: Peaks,
  names: { node?: string; engine: string; dir: string },
  billed: boolean,
): CaseRow {
  const latency = summarize(samples.map((s) => s.ms));
  const phaseNames = [...new Set(samples.flatMap((s) => Object.keys(s.phases ?? {})))];
  const phasesMs = Object.fromEntries(
    phaseNames.map((p) => [p, summarize(samples.map((s) => s.phases?.[p] ?? 0))]),
  );
  const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / MB);
  return {
    database,
    way,
    sizeLabel: size.label,
    bytes: size.bytes,
    clean: samples.filter((s) => !s.infected).length,
    infected: samples.filter((s) => s.infected).length,
    latencyMs: latency,
    throughputMBps: mbPerSecond(size.bytes, latency.p50),
    ...(phaseNames.length > 0 ? { phasesMs } : {}),
    nodePeakMB: names.node ? mb(peaks.memoryBytes[names.node]) : undefined,
    enginePeakMB: mb(peaks.memoryBytes[names.engine]),
    engineAnonPeakMB: mb(peaks.anonBytes[names.engine]),
    tmpPeakMB: mb(peaks.diskBytes[names.dir]),
    tmpBaselineMB: mb(peaks.diskBaselineBytes[names.dir]),
    // Billed at the scanner's default memory, for both ways, so the durations decide (see results.md).
    ...(billed
      ? {
          cost: {
            memoryMb: DEFAULT_SCANNER_MEMORY_MB,
            lambdaX86: lambdaCostPerThousand(latency.mean, DEFAULT_SCANNER_MEMORY_MB, "x86_64"),
            lambdaArm64: lambdaCostPerThousand(latency.mean, DEFAULT_SCANNER_MEMORY_MB, "arm64"),
          },
        }
      : {}),
    guardDuty: guardDutyCostPerThousand(size.bytes),
  };
}

/** Runs every size for one database; returns its rows and what loading it cost. */
export async function runDatabase(
  ctx: SuiteContext,
  db: DatabaseCase,
  sizes: readonly SizeCase[],
): Promise<{ database: DatabaseRow; rows: CaseRow[] }> {
  const name = db.spec.name;
  // Short: clamd's socket lives far below it, and Unix socket paths stop at 107 bytes.
  const dbScratch = join(ctx.scratchDir, `db${ctx.index}`);
  await rm(dbScratch, { recursive: true, force: true });
  await mkdir(dbScratch, { recursive: true });
  ctx.log(`${name}: generating (or reusing) ${db.spec.hdb} hdb + ${db.spec.ndb} ndb signatures`);
  const written = await ensureDatabase(ctx.scratchDir, db.spec);
  const definitions = { bucket: ctx.definitionsBucket, prefix: ctx.definitionsPrefix };
  const published = await publishBenchDatabase(
    ctx.clients.owner,
    definitions,
    written,
    `ClamAV ${ctx.layer.clamavVersion} (benchmark database ${name})`,
  );

  ctx.log(`${name}: starting raw clamd`);
  const raw = await RawClamd.start(ctx.layer.tools, written.dir, join(dbScratch, "raw"));
  ctx.log(`${name}: raw clamd loaded in ${Math.round(raw.loadMs)} ms, ${Math.round(raw.rssBytes / MB)} MB`);

  const warmTmp = join(dbScratch, "env");
  const seedTmp = join(dbScratch, "seed");
  const newWarm = async () => {
    await WarmScanner.prepare(warmTmp);
    return new WarmScanner({ fn: ctx.scannerFunction, tmpRoot: warmTmp });
  };
  const objectsDir = join(dbScratch, "objects");
  await mkdir(objectsDir, { recursive: true });

  // Cold starts: a new environment each, its first invocation on a 1 KB object; the last one stays warm.
  const cold: Sample[] = [];
  let warm: WarmScanner | undefined;
  for (let c = 0; c < db.coldStarts; c++) {
    await warm?.close();
    warm = await newWarm();
    const path = join(objectsDir, "cold");
    await writeObjectFile(path, { bytes: 1024, infected: false, seed: `${name}/cold/${c}` });
    const obj = await upload(ctx, `cold/${c}`, path);
    const s = await warm.scan(obj);
    check(Ways.warm, false, s.verdict === "infected", "a cold-start object");
    cold.push(s);
    await remove(ctx, obj);
    ctx.log(`${name}: cold start ${c + 1}: ${Math.round(s.phases?.coldStartMs ?? s.ms)} ms`);
  }
  if (!warm) throw new Error("at least one cold start is needed to get a warm environment");
  const warmScanner = warm;

  let seedEngine: number | undefined;
  const sampler = new PeakSampler({
    processes: () => ({
      raw: raw.pid,
      warmNode: warmScanner.nodePid,
      warmClamd: warmScanner.clamdPid(),
      seedClamscan: seedEngine,
    }),
    dirs: { raw: raw.spoolDir, warm: warmTmp, seed: seedTmp },
  });
  const seedDeps = {
    s3: ctx.clients.scanner,
    definitions,
    tools: ctx.layer.tools,
    scratchRoot: seedTmp,
    onEngine: (pid: number | undefined) => {
      if (pid === undefined) sampler.sample();
      seedEngine = pid;
    },
  };

  const rows: CaseRow[] = [];
  try {
    for (const size of sizes) {
      const n = { ...size.samples, seed: Math.min(size.samples.seed, db.seedSamplesMax) };
      const got = { raw: [], warm: [], seed: [] } as Record<
        keyof typeof n,
        Array<Sample & { infected: boolean }>
      >;
      sampler.start();
      for (let i = 0; i < Math.max(n.raw, n.warm, n.seed); i++) {
        const infected = i % 2 === 1;
        const what = `${size.label} object ${i}`;
        const path = join(objectsDir, `object-${i}`);
        await writeObjectFile(path, { bytes: size.bytes, infected, seed: `${name}/${size.label}/${i}` });
        if (i < n.raw) {
          const s = await raw.scan(path);
          check(Ways.raw, infected, s.outcome.status === ScanStatus.Infected, what);
          got.raw.push({ ...s, infected });
        }
        if (i < n.warm || i < n.seed) {
          const obj = await upload(ctx, `bench/${size.label.replace(" ", "")}/${i}`, path);
          if (i < n.warm) {
            const s = await warmScanner.scan(obj);
            check(Ways.warm, infected, s.verdict === "infected", what);
            got.warm.push({ ...s, infected });
          }
          if (i < n.seed) {
            const s = await seedStyleScan(seedDeps, obj);
            check(Ways.seed, infected, s.outcome.status === ScanStatus.Infected, what);
            got.seed.push({ ...s, infected });
          }
          await remove(ctx, obj);
        }
        await rm(path, { force: true });
      }
      const peaks = sampler.stop();
      rows.push(
        row(name, Ways.seed, size, got.seed, peaks, { engine: "seedClamscan", dir: "seed" }, true),
        row(
          name,
          Ways.warm,
          size,
          got.warm,
          peaks,
          { node: "warmNode", engine: "warmClamd", dir: "warm" },
          true,
        ),
        row(name, Ways.raw, size, got.raw, peaks, { engine: "raw", dir: "raw" }, false),
      );
      const [s, w, r] = rows.slice(-3);
      const phases = Object.entries(w.phasesMs ?? {})
        .map(([k, v]) => `${k} ${v.p50.toFixed(1)}`)
        .join(", ");
      ctx.log(
        `${name} ${size.label}: p50 seed-style ${s.latencyMs.p50.toFixed(1)} ms, ` +
          `warm ${w.latencyMs.p50.toFixed(1)} ms (${phases}), raw ${r.latencyMs.p50.toFixed(1)} ms`,
      );
    }
  } finally {
    sampler.stop();
    await warmScanner.close();
    await raw.stop();
  }
  return {
    database: {
      name,
      hdbSignatures: db.spec.hdb,
      ndbSignatures: db.spec.ndb,
      bytes: published.bytes,
      clamdLoadMs: raw.loadMs,
      clamdRssMB: raw.rssBytes / MB,
      coldStartMs: summarize(cold.map((s) => s.phases?.coldStartMs ?? s.ms)),
      coldInitMs: summarize(cold.map((s) => s.phases?.initMs ?? 0)),
    },
    rows,
  };
}
