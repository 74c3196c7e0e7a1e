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
import type { GatekeeperState } from "./gatekeeper-daemon";
import { type LocalPaths, localPaths, PROJECT_ROOT } from "./paths";
import {
  DAEMON_SCRIPT,
  describePipeline,
  GATEKEEPER_SCRIPT,
  gatekeeperPid,
  type PipelineInfo,
  readPipeline,
  runnerPid,
  writeJsonFile,
} from "./pipeline";
import type { RunnerStatus } from "./runner";
import { type LocalSettings, parseLocalSettings } from "./settings";
import { reviveGateway, type StoreInfo, s3Client, startStore, storeStatus } from "./store/index";

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
  if (gatekeeperPid(paths) === undefined) return undefined;
  if ((await storeStatus(paths.storeDir)) !== "running") return undefined;
  return (await runnerStatus(info.runner.url))?.readyAt ? info : undefined;
}

/** Ends the process `livePid` names: SIGTERM, then SIGKILL after `graceMs`. False if none ran. */
async function stopDaemon(livePid: () => number | undefined, graceMs: number): Promise<boolean> {
  const pid = livePid();
  if (pid === undefined) return false;
  process.kill(pid, "SIGTERM");
  let deadline = Date.now() + graceMs;
  while (livePid() === pid) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      deadline = Number.POSITIVE_INFINITY;
    }
    await sleep(100);
  }
  return true;
}

/** Ends a runner by pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopRunner(paths: LocalPaths, graceMs = 30_000): Promise<boolean> {
  const stopped = await stopDaemon(() => runnerPid(paths), graceMs);
  rmSync(paths.runnerFile, { force: true });
  return stopped;
}

/** Ends the gatekeeper by pid. */
export async function stopGatekeeper(paths: LocalPaths): Promise<boolean> {
  const stopped = await stopDaemon(() => gatekeeperPid(paths), 5_000);
  rmSync(paths.gatekeeperFile, { force: true });
  return stopped;
}

/** Starts `script <state dir> ...args` in the background, its output appended to `outFile`. */
function spawnDaemon(paths: LocalPaths, script: string, args: string[], outFile: string, pidFile: string) {
  mkdirSync(paths.logDir, { recursive: true });
  const out = openSync(outFile, "a");
  const child = spawn(
    process.execPath,
    ["--require", require.resolve("tsx/cjs"), script, paths.root, ...args],
    {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, BW_LOCAL_DIR: paths.root },
    },
  );
  child.unref();
  writeJsonFile(pidFile, child.pid);
  return child;
}

function readGatekeeper(paths: LocalPaths): GatekeeperState | undefined {
  try {
    return JSON.parse(readFileSync(paths.gatekeeperFile, "utf8")) as GatekeeperState;
  } catch {
    return undefined;
  }
}

/**
 * The gatekeeper in front of `store`: the running one if it serves this store, else a new one. It
 * outlives runner restarts, so the endpoint users upload to stays the same while a runner is down.
 */
async function ensureGatekeeper(paths: LocalPaths, store: StoreInfo): Promise<GatekeeperState> {
  const running = readGatekeeper(paths);
  const pid = gatekeeperPid(paths);
  if (running && pid === running.pid && running.upstream === store.endpoint) return running;
  await stopGatekeeper(paths);
  const out = `${paths.logDir}/gatekeeper.out`;
  const child = spawnDaemon(paths, GATEKEEPER_SCRIPT, [], out, paths.gatekeeperPidFile);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = readGatekeeper(paths);
    if (state && state.pid === child.pid) return state;
    if (exited || Date.now() > deadline)
      throw new PipelineStartError(`the gatekeeper did not start. Its last words:\n${tail(out)}`);
    await sleep(100);
  }
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
  const child = spawnDaemon(paths, DAEMON_SCRIPT, [], paths.runnerOut, paths.runnerPidFile);
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
  gatekeeper: GatekeeperState,
  startMs: number,
): PipelineInfo {
  const { uploader, scanner, owner } = store.users;
  return {
    // Users reach the store through the gatekeeper; the pipeline's own processes go to the gateway.
    endpoint: gatekeeper.url,
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
    owner: { uid: owner.uid, accessKeyId: owner.accessKeyId, secretAccessKey: owner.secretAccessKey },
    runner: { pid: runner.pid, url: runner.url },
    logs: {
      verdicts: paths.verdictLog,
      runner: paths.runnerLog,
      scanner: paths.functionLog(FunctionNames.scanner),
      updater: paths.functionLog(FunctionNames.updater),
      deadLetter: paths.deadLetterFile,
      gatekeeper: paths.gatekeeperLog,
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

  let status = await storeStatus(paths.storeDir);
  if (status === "broken") {
    // Most often only the gateway died (one S3 request can crash it): a new one keeps the objects.
    status = await reviveGateway(paths.storeDir).then(
      () => "running" as const,
      () => status,
    );
  }
  const storeWasRunning = status === "running";
  if (!storeWasRunning) {
    // A runner without its store has nothing to serve, and its queue names objects that are gone.
    await stopRunner(paths);
    await stopGatekeeper(paths);
    // A fresh store holds none of the adopted buckets and none of the objects the runs name.
    for (const f of [
      paths.journalFile,
      paths.deadLetterFile,
      paths.pipelineFile,
      paths.runnerStateFile,
      paths.protectedFile,
    ])
      rmSync(f, { force: true });
    for (const d of [paths.environmentsDir, paths.runsDir]) rmSync(d, { recursive: true, force: true });
    console.log("Starting the S3 store (single-node Ceph RADOS Gateway on loopback)...");
  }
  const store = await startStore({ dir: paths.storeDir });
  await prepareBuckets(s3Client(store, "owner"), pipelineBuckets(settings, store));
  const gatekeeper = await ensureGatekeeper(paths, store);

  // A runner that is alive but not ready (stuck, or from before a store restart) is replaced.
  await stopRunner(paths);
  console.log("Starting the runner: signature mirror, updater, scanner environments, notifications...");
  const runner = await launchRunner(paths, settings);
  const info = pipelineInfo(paths, settings, store, runner, gatekeeper, Math.round(performance.now() - t0));
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
