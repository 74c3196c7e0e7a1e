/**
 * `.local/pipeline.json`: how users, the demo and the tests reach a running local pipeline, and the
 * small process checks `npm start` and `npm stop` share.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { LocalPaths } from "./paths";
import { PROJECT_ROOT } from "./paths";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The connection details `npm start` writes once the pipeline is ready. */
export interface PipelineInfo {
  /** The S3 endpoint users reach: the gatekeeper in front of the store's gateway. */
  endpoint: string;
  /** The store's gateway itself, for the pipeline's own users (scanner, bucket owner). */
  gateway: string;
  region: string;
  uploadBucket: string;
  definitionsBucket: string;
  /** An ordinary user: uploads, and reads what the access rule lets through. */
  uploader: Credentials & { uid: string };
  /** The scanner's user, exempt from the access rule. */
  scanner: Credentials & { uid: string };
  /** The store's bucket owner: creates buckets of its own to adopt with `bucketwarden protect --local`. */
  owner: Credentials & { uid: string };
  runner: { pid: number; url: string };
  logs: {
    verdicts: string;
    runner: string;
    scanner: string;
    updater: string;
    deadLetter: string;
    /** One line per request the gatekeeper refused. */
    gatekeeper: string;
  };
  /** Milliseconds from `npm start` to ready, and per step of the runner's start. */
  startMs: number;
  timings: Record<string, number>;
  readyAt: string;
}

/** The running pipeline's details, or `undefined` when `npm start` has not written them. */
export function readPipeline(paths: LocalPaths): PipelineInfo | undefined {
  if (!existsSync(paths.pipelineFile)) return undefined;
  return JSON.parse(readFileSync(paths.pipelineFile, "utf8")) as PipelineInfo;
}

/** Writes a JSON file whole or not at all: readers never see half of it. */
export function writeJsonFile(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The pid in `file` if it names a live process whose command line contains `marker`. */
export function livePid(file: string, marker: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    // Checking the command line keeps a recycled pid from passing for ours.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    return cmdline.includes(marker) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The runner's entry point; its command line also names the state directory it serves. */
export const DAEMON_SCRIPT = `${__dirname}/daemon.ts`;

/** The gatekeeper's entry point; its command line names the state directory too. */
export const GATEKEEPER_SCRIPT = `${__dirname}/gatekeeper-daemon.ts`;

/** The live gatekeeper serving `paths`, if any. */
export function gatekeeperPid(paths: LocalPaths): number | undefined {
  return livePid(paths.gatekeeperPidFile, `${GATEKEEPER_SCRIPT} ${paths.root}`);
}

/** The live runner serving `paths`, if any. */
export function runnerPid(paths: LocalPaths): number | undefined {
  return livePid(paths.runnerPidFile, `${DAEMON_SCRIPT} ${paths.root}`);
}

/** A path as the user should read it: relative to the checkout when inside it. */
export function shortPath(p: string): string {
  const r = relative(process.cwd() || PROJECT_ROOT, p);
  return r.startsWith("..") ? p : r;
}

/** The pipeline's details as a person reads them. */
export function describePipeline(
  p: PipelineInfo,
  settings: { concurrency: number; batchSize: number },
): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `bucketwarden local pipeline is ready (${secs(p.startMs)} to start)`,
    "",
    `  S3 endpoint         ${p.endpoint}  (region ${p.region}, path-style addressing, loopback only)`,
    `  upload bucket       ${p.uploadBucket}  (versioned, access rule applied: unscanned and infected objects cannot be read)`,
    `  definitions bucket  ${p.definitionsBucket}`,
    `  ordinary user       ${p.uploader.uid}: access key ${p.uploader.accessKeyId}, secret ${p.uploader.secretAccessKey}`,
    `  scanner user        ${p.scanner.uid}: access key ${p.scanner.accessKeyId}, secret ${p.scanner.secretAccessKey}`,
    `  bucket owner        ${p.owner.uid}: access key ${p.owner.accessKeyId}, secret ${p.owner.secretAccessKey}  (create a bucket, then: npx bucketwarden protect --local <bucket>)`,
    `  scanner             ${settings.concurrency} execution environment(s), up to ${settings.batchSize} objects per invocation`,
    `  verdicts            ${shortPath(p.logs.verdicts)}  (one line per object)`,
    `  logs                ${shortPath(p.logs.runner)}, ${shortPath(p.logs.scanner)}, ${shortPath(p.logs.updater)}`,
    `  dead letters        ${shortPath(p.logs.deadLetter)}  (objects whose every scan attempt failed)`,
    `  own signatures      ${shortPath(p.logs.verdicts.replace(/logs\/verdicts\.log$/, "signatures/"))}  (.hdb .hsb .ndb .ldb; served on the next update: npx bucketwarden update --local)`,
    "",
    "  The signatures are TEST signatures (EICAR and ClamAV's own test files), not a malware database.",
    `  Connection details: ${shortPath(p.logs.verdicts.replace(/logs\/verdicts\.log$/, "pipeline.json"))}`,
    "  Try it: npm run demo        Stop it: npm stop",
  ].join("\n");
}
