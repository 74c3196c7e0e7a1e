/**
 * Where local mode keeps its state. Everything lives under one directory (`.local/` in the checkout
 * by default, `BW_LOCAL_DIR` to move it) so that `npm stop` and a fresh start know exactly what is
 * theirs, and so that tests can run a whole pipeline of their own beside a developer's.
 */
import { resolve } from "node:path";

/** The repository root (this file sits in `local/`). */
export const PROJECT_ROOT = resolve(__dirname, "..");

/** The files and folders of one local pipeline. */
export interface LocalPaths {
  root: string;
  /** The S3 store's directory, owned by `local/store/store.sh`. */
  storeDir: string;
  /** Connection details for users of the pipeline, written once it is ready. */
  pipelineFile: string;
  /** The runner's pid. */
  runnerPidFile: string;
  /** What the running runner publishes about itself (port, pid, readiness). */
  runnerFile: string;
  /** Settings that must survive a runner restart (the receiver's port, which the store's topic names). */
  runnerStateFile: string;
  /** The gatekeeper's pid, and what it publishes about itself (address, refusals by reason). */
  gatekeeperPidFile: string;
  gatekeeperFile: string;
  /** The gatekeeper's log: one line per refused request. */
  gatekeeperLog: string;
  /** The runner's durable queue. */
  journalFile: string;
  /** Objects that exhausted their attempts, one JSON line each. */
  deadLetterFile: string;
  /** The scanner's verdict events (core/verdict-event), one JSON line each, as EventBridge gets them on AWS. */
  eventsFile: string;
  logDir: string;
  /** One line per object outcome: verdict, or error after the last attempt. */
  verdictLog: string;
  /** The runner's own log. */
  runnerLog: string;
  /** stdout/stderr of the runner process (crashes before its logger is up land here). */
  runnerOut: string;
  /** What the handlers print, as CloudWatch Logs would hold it, one file per function. */
  functionLog: (fn: string) => string;
  /** Each execution environment's private `/tmp`, removed with the environment. */
  environmentsDir: string;
  /** Local batch runs (backlog scans, rescans): one folder each with its manifest and report. */
  runsDir: string;
  /** The user's own signature files, served by the mirror beside the test signatures. */
  signaturesDir: string;
  /** Buckets adopted with `bucketwarden protect --local`, so a new runner keeps serving them. */
  protectedFile: string;
}

/** The layout under `root` (default: `BW_LOCAL_DIR`, else `.local/` in the checkout). */
export function localPaths(root: string = process.env.BW_LOCAL_DIR || `${PROJECT_ROOT}/.local`): LocalPaths {
  const r = resolve(root);
  const logDir = `${r}/logs`;
  return {
    root: r,
    storeDir: `${r}/store`,
    pipelineFile: `${r}/pipeline.json`,
    runnerPidFile: `${r}/runner.pid`,
    runnerFile: `${r}/runner.json`,
    runnerStateFile: `${r}/runner-state.json`,
    gatekeeperPidFile: `${r}/gatekeeper.pid`,
    gatekeeperFile: `${r}/gatekeeper.json`,
    gatekeeperLog: `${logDir}/gatekeeper.log`,
    journalFile: `${r}/queue.journal`,
    deadLetterFile: `${r}/dead-letter.jsonl`,
    eventsFile: `${r}/events.jsonl`,
    logDir,
    verdictLog: `${logDir}/verdicts.log`,
    runnerLog: `${logDir}/runner.log`,
    runnerOut: `${logDir}/runner.out`,
    functionLog: (fn) => `${logDir}/${fn}.log`,
    // Short on purpose: clamd's socket lives below it and Unix socket paths stop at 107 bytes.
    environmentsDir: `${r}/env`,
    runsDir: `${r}/runs`,
    signaturesDir: `${r}/signatures`,
    protectedFile: `${r}/protected.json`,
  };
}
