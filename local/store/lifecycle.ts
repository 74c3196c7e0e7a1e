import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { StoreCommandError, StoreInfoError } from "./errors";
import { parseStoreInfo, type StoreInfo } from "./types";

/** The script that starts and stops the store; this module only wraps it. */
export const STORE_SCRIPT = join(__dirname, "store.sh");

/** Scratch directory used when none is given: `.local/store` in the repository (git-ignored). */
export const DEFAULT_STORE_DIR = resolve(__dirname, "../..", ".local/store");

/** Options of {@link startStore}. */
export interface StartStoreOptions {
  /**
   * Scratch directory for the cluster, its logs and `store.json`; emptied by {@link stopStore}.
   * @default DEFAULT_STORE_DIR
   */
  dir?: string;
  /**
   * Memstore capacity of the OSD in bytes. RAM is taken only as data is stored (about twice the
   * stored size), so the default holds a 1 GB benchmark object and the tests.
   * @default 4 GiB
   */
  osdBytes?: number;
  /**
   * Seconds a start may take, up to the gateway accepting its first PutObject, before giving up.
   * @default 90
   */
  readyTimeoutSeconds?: number;
}

/** What {@link storeStatus} found, from the exit code of `store.sh status`. */
export type StoreStatus = "running" | "stopped" | "broken";

interface ScriptResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

function runScript(command: string, dir: string, env: NodeJS.ProcessEnv = {}): Promise<ScriptResult> {
  return new Promise((done) => {
    execFile(
      "bash",
      [STORE_SCRIPT, command, dir],
      { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        done({ exitCode, stdout, stderr });
      },
    );
  });
}

async function runScriptOrThrow(command: string, dir: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const result = await runScript(command, dir, env);
  if (result.exitCode !== 0) throw new StoreCommandError(command, result.exitCode, result.stderr);
}

/**
 * Starts the store in `dir`, or returns the one already running there. Resolves once the gateway
 * has accepted a PutObject; rejects with {@link StoreCommandError} (logs included) otherwise.
 */
export async function startStore(options: StartStoreOptions = {}): Promise<StoreInfo> {
  const dir = resolve(options.dir ?? DEFAULT_STORE_DIR);
  const env: NodeJS.ProcessEnv = {};
  if (options.osdBytes !== undefined) env.BW_STORE_OSD_BYTES = String(options.osdBytes);
  if (options.readyTimeoutSeconds !== undefined)
    env.BW_STORE_READY_TIMEOUT = String(options.readyTimeoutSeconds);
  await runScriptOrThrow("start", dir, env);
  return readStore(dir);
}

/** Stops the daemons named by `dir`'s pid files, waits for them to exit and empties `dir`. */
export async function stopStore(dir: string = DEFAULT_STORE_DIR): Promise<void> {
  await runScriptOrThrow("stop", resolve(dir));
}

/**
 * Starts a new gateway if the store's gateway died (its monitor and OSD still holding the data), on
 * the same port; resolves with the store as it is now (the gateway's new pid included).
 */
export async function reviveGateway(dir: string = DEFAULT_STORE_DIR): Promise<StoreInfo> {
  await runScriptOrThrow("revive", resolve(dir));
  return readStore(dir);
}

/** Whether the store in `dir` runs: every daemon alive and the gateway answering. */
export async function storeStatus(dir: string = DEFAULT_STORE_DIR): Promise<StoreStatus> {
  const result = await runScript("status", resolve(dir));
  switch (result.exitCode) {
    case 0:
      return "running";
    case 3:
      return "stopped";
    case 1:
      return "broken";
    default:
      throw new StoreCommandError("status", result.exitCode, result.stderr);
  }
}

/** Reads `<dir>/store.json` as written by a successful start; does not check that the store runs. */
export function readStore(dir: string = DEFAULT_STORE_DIR): StoreInfo {
  const file = join(resolve(dir), "store.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new StoreInfoError(file, "cannot be read; is the store started?", { cause });
  }
  try {
    return parseStoreInfo(JSON.parse(text), file);
  } catch (cause) {
    if (cause instanceof StoreInfoError) throw cause;
    throw new StoreInfoError(file, "is not valid JSON", { cause });
  }
}
