/**
 * `npm start` (after scripts/start.sh has installed and built): the store, the buckets with the
 * access rule, and the runner in the background; returns once the pipeline is ready and has written
 * `pipeline.json`. Idempotent: a running pipeline is reported, not started twice. start.sh holds a
 * lock around it, so two starts never race.
 */
import "./quiet-sdk-warning";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { pipelineBuckets, prepareBuckets } from "./buckets";
import { PipelineStartError } from "./errors";
import { FunctionNames } from "./functions";
import { type LocalPaths, localPaths, PROJECT_ROOT } from "./paths";
import {
  DAEMON_SCRIPT,
  describePipeline,
  type PipelineInfo,
  readPipeline,
  runnerPid,
  writeJsonFile,
} from "./pipeline";
import type { RunnerStatus } from "./runner";
import { type LocalSettings, parseLocalSettings } from "./settings";
import { type StoreInfo, s3Client, startStore, storeStatus } from "./store/index";

/** Asks a running runner how it is; `undefined` when it does not answer. */
async function runnerStatus(url: string): Promise<RunnerStatus | undefined> {
  try {
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as RunnerStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** True when every part of the pipeline in `paths` runs and answers. */
export async function pipelineRunning(paths: LocalPaths): Promise<PipelineInfo | undefined> {
  const info = readPipeline(paths);
  if (!info || runnerPid(paths) !== info.runner.pid) return undefined;
  if ((await storeStatus(paths.storeDir)) !== "running") return undefined;
  return (await runnerStatus(info.runner.url))?.readyAt ? info : undefined;
}

/** Ends a runner by pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopRunner(paths: LocalPaths, graceMs = 30_000): Promise<boolean> {
  const pid = runnerPid(paths);
  if (pid === undefined) return false;
  process.kill(pid, "SIGTERM");
  let deadline = Date.now() + graceMs;
  while (runnerPid(paths) === pid) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      deadline = Number.POSITIVE_INFINITY;
    }
    await sleep(100);
  }
  rmSync(paths.runnerFile, { force: true });
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Starts the runner in the background and waits until it reports ready. */
async function launchRunner(paths: LocalPaths, settings: LocalSettings): Promise<RunnerStatus> {
  rmSync(paths.runnerFile, { force: true });
  mkdirSync(paths.logDir, { recursive: true });
  const out = openSync(paths.runnerOut, "a");
  const child = spawn(
    process.execPath,
    ["--require", require.resolve("tsx/cjs"), DAEMON_SCRIPT, paths.root],
    {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, BW_LOCAL_DIR: paths.root },
    },
  );
  child.unref();
  writeJsonFile(paths.runnerPidFile, child.pid);
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  const deadline = Date.now() + settings.readyTimeoutSeconds * 1000;
  while (!existsSync(paths.runnerFile)) {
    if (exited || Date.now() > deadline) {
      if (!exited) process.kill(child.pid as number, "SIGTERM");
      throw new PipelineStartError(
        `the runner ${exited ? `ended (${exited})` : `was not ready after ${settings.readyTimeoutSeconds} s`} ` +
          `before the pipeline was ready. Its last words:\n${tail(paths.runnerOut)}\n${tail(paths.runnerLog)}`,
      );
    }
    await sleep(100);
  }
  return JSON.parse(readFileSync(paths.runnerFile, "utf8")) as RunnerStatus;
}

function pipelineInfo(
  paths: LocalPaths,
  settings: LocalSettings,
  store: StoreInfo,
  runner: RunnerStatus,
  startMs: number,
): PipelineInfo {
  const { uploader, scanner } = store.users;
  return {
    // Users reach the store through the gatekeeper; the pipeline's own processes go to the gateway.
    endpoint: runner.gatekeeper.url,
    gateway: store.endpoint,
    region: store.region,
    uploadBucket: settings.uploadBucket,
    definitionsBucket: settings.definitionsBucket,
    uploader: {
      uid: uploader.uid,
      accessKeyId: uploader.accessKeyId,
      secretAccessKey: uploader.secretAccessKey,
    },
    scanner: { uid: scanner.uid, accessKeyId: scanner.accessKeyId, secretAccessKey: scanner.secretAccessKey },
    runner: { pid: runner.pid, url: runner.url },
    logs: {
      verdicts: paths.verdictLog,
      runner: paths.runnerLog,
      scanner: paths.functionLog(FunctionNames.scanner),
      updater: paths.functionLog(FunctionNames.updater),
      deadLetter: paths.deadLetterFile,
    },
    startMs,
    timings: runner.timings,
    readyAt: runner.readyAt ?? new Date().toISOString(),
  };
}

export async function start(paths: LocalPaths = localPaths()): Promise<PipelineInfo> {
  const t0 = performance.now();
  const settings = parseLocalSettings();
  mkdirSync(paths.root, { recursive: true });
  const running = await reportIfRunning(paths);
  if (running) return running;

  const storeWasRunning = (await storeStatus(paths.storeDir)) === "running";
  if (!storeWasRunning) {
    // A runner without its store has nothing to serve, and its queue names objects that are gone.
    await stopRunner(paths);
    for (const f of [paths.journalFile, paths.deadLetterFile, paths.pipelineFile, paths.runnerStateFile])
      rmSync(f, { force: true });
    rmSync(paths.environmentsDir, { recursive: true, force: true });
    console.log("Starting the S3 store (single-node Ceph RADOS Gateway on loopback)...");
  }
  const store = await startStore({ dir: paths.storeDir });
  await prepareBuckets(s3Client(store, "owner"), pipelineBuckets(settings, store));

  // A runner that is alive but not ready (stuck, or from before a store restart) is replaced.
  await stopRunner(paths);
  console.log("Starting the runner: signature mirror, updater, scanner environments, notifications...");
  const runner = await launchRunner(paths, settings);
  const info = pipelineInfo(paths, settings, store, runner, Math.round(performance.now() - t0));
  writeJsonFile(paths.pipelineFile, info);
  console.log(`\n${describePipeline(info, settings)}`);
  return info;
}

/** Exit code of `start.ts --if-running` when nothing runs, so start.sh goes on to build and start. */
const NOT_RUNNING = 3;

/** Prints the running pipeline's details and returns them, or returns `undefined` when none runs. */
async function reportIfRunning(paths: LocalPaths = localPaths()): Promise<PipelineInfo | undefined> {
  const running = await pipelineRunning(paths);
  if (running) {
    console.log(`bucketwarden local pipeline is already running (runner pid ${running.runner.pid}).\n`);
    console.log(describePipeline(running, parseLocalSettings()));
  }
  return running;
}

if (require.main === module) {
  const run = process.argv.includes("--if-running")
    ? reportIfRunning().then((running) => process.exit(running ? 0 : NOT_RUNNING))
    : start();
  run.catch((e) => {
    console.error(`npm start failed: ${(e as Error).message}`);
    process.exit(1);
  });
}
