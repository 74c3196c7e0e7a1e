/**
 * Local mode's own knobs, read from `BW_LOCAL_*` variables. The handlers' settings are not here:
 * they come from core's `scannerEnvironment`/`updaterEnvironment`, like on AWS.
 */
import { ConfigError } from "../core/errors";
import { bucketNameProblem } from "../core/naming";
import { DEFAULT_RESCAN_WINDOW, parseRescanWindow } from "../core/rescan-window";
import {
  DEFAULT_SCANNER_TIMEOUT_SECONDS,
  DEFAULT_UPDATER_TIMEOUT_SECONDS,
  LAMBDA_TIMEOUT_SECONDS,
} from "../core/sizing";

export interface LocalSettings {
  /** Upload bucket name. @default "bucketwarden-uploads" */
  uploadBucket: string;
  /** Definitions bucket name. @default "bucketwarden-definitions" */
  definitionsBucket: string;
  /** Scanner execution environments running at once (Lambda's reserved concurrency). @default 2 */
  concurrency: number;
  /** Queue messages per scanner invocation (the SQS event source's batch size). @default 10 */
  batchSize: number;
  /** Scanner function timeout; a timed-out environment is killed and replaced. @default 900, as deployed */
  scannerTimeoutSeconds: number;
  /** Updater function timeout. @default 600, as deployed */
  updaterTimeoutSeconds: number;
  /** Attempts per object before it is dead-lettered (SQS's maxReceiveCount). @default 5 */
  maxAttempts: number;
  /** First retry delay; doubles per attempt, with jitter. @default 1000 */
  retryBaseMs: number;
  /** Longest retry delay. @default 30000 */
  retryMaxMs: number;
  /** How often the updater runs after its first run at start. @default 3600 */
  updateIntervalSeconds: number;
  /** How often the runner lists the upload bucket for objects without a verdict (besides at start). @default 300 */
  reconcileIntervalSeconds: number;
  /** How long `npm start` waits for the pipeline to be ready. @default 300 */
  readyTimeoutSeconds: number;
  /** Execution environments of the batch runner (backlog scans and rescans), beside the scanner's. @default 2 */
  batchConcurrency: number;
  /**
   * After an update that adds signatures, objects created within this many seconds are rescanned;
   * 0 turns the automatic rescan off. Written like the stack's `rescanWindow` ("24h", "7d", "0").
   * @default 86400 (core's DEFAULT_RESCAN_WINDOW, 24 h)
   */
  rescanWindowSeconds: number;
}

export const LocalEnvVars = {
  uploadBucket: "BW_LOCAL_UPLOAD_BUCKET",
  definitionsBucket: "BW_LOCAL_DEFINITIONS_BUCKET",
  concurrency: "BW_LOCAL_CONCURRENCY",
  batchSize: "BW_LOCAL_BATCH_SIZE",
  scannerTimeoutSeconds: "BW_LOCAL_SCANNER_TIMEOUT_SECONDS",
  updaterTimeoutSeconds: "BW_LOCAL_UPDATER_TIMEOUT_SECONDS",
  maxAttempts: "BW_LOCAL_MAX_ATTEMPTS",
  retryBaseMs: "BW_LOCAL_RETRY_BASE_MS",
  retryMaxMs: "BW_LOCAL_RETRY_MAX_MS",
  updateIntervalSeconds: "BW_LOCAL_UPDATE_INTERVAL_SECONDS",
  reconcileIntervalSeconds: "BW_LOCAL_RECONCILE_INTERVAL_SECONDS",
  readyTimeoutSeconds: "BW_LOCAL_READY_TIMEOUT_SECONDS",
  batchConcurrency: "BW_LOCAL_BATCH_CONCURRENCY",
  rescanWindowSeconds: "BW_LOCAL_RESCAN_WINDOW",
} as const satisfies Record<keyof LocalSettings, string>;

type Env = Readonly<Record<string, string | undefined>>;

function whole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = env[name]?.trim();
  if (!v) return fallback;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bucket(env: Env, name: string, fallback: string): string {
  const v = env[name]?.trim() || fallback;
  const problem = bucketNameProblem(v);
  if (problem) throw new ConfigError(name, `"${v}" ${problem}`);
  return v;
}

/** Reads the settings; throws {@link ConfigError} naming the variable on bad input. */
export function parseLocalSettings(env: Env = process.env): LocalSettings {
  const V = LocalEnvVars;
  const s: LocalSettings = {
    uploadBucket: bucket(env, V.uploadBucket, "bucketwarden-uploads"),
    definitionsBucket: bucket(env, V.definitionsBucket, "bucketwarden-definitions"),
    concurrency: whole(env, V.concurrency, 2, 1, 64),
    // SQS event sources allow 1 to 10 messages per batch without a batching window.
    batchSize: whole(env, V.batchSize, 10, 1, 10),
    scannerTimeoutSeconds: whole(
      env,
      V.scannerTimeoutSeconds,
      DEFAULT_SCANNER_TIMEOUT_SECONDS,
      LAMBDA_TIMEOUT_SECONDS.min,
      LAMBDA_TIMEOUT_SECONDS.max,
    ),
    updaterTimeoutSeconds: whole(
      env,
      V.updaterTimeoutSeconds,
      DEFAULT_UPDATER_TIMEOUT_SECONDS,
      LAMBDA_TIMEOUT_SECONDS.min,
      LAMBDA_TIMEOUT_SECONDS.max,
    ),
    maxAttempts: whole(env, V.maxAttempts, 5, 1, 1000),
    retryBaseMs: whole(env, V.retryBaseMs, 1000, 1, 3_600_000),
    retryMaxMs: whole(env, V.retryMaxMs, 30_000, 1, 3_600_000),
    updateIntervalSeconds: whole(env, V.updateIntervalSeconds, 3600, 10, 7 * 86_400),
    reconcileIntervalSeconds: whole(env, V.reconcileIntervalSeconds, 300, 1, 86_400),
    readyTimeoutSeconds: whole(env, V.readyTimeoutSeconds, 300, 1, 3600),
    batchConcurrency: whole(env, V.batchConcurrency, 2, 1, 64),
    rescanWindowSeconds:
      parseRescanWindow(env[V.rescanWindowSeconds]?.trim() || DEFAULT_RESCAN_WINDOW, V.rescanWindowSeconds) ??
      0,
  };
  if (s.uploadBucket === s.definitionsBucket)
    throw new ConfigError(V.definitionsBucket, `must differ from ${V.uploadBucket} ("${s.uploadBucket}")`);
  if (s.retryMaxMs < s.retryBaseMs)
    throw new ConfigError(V.retryMaxMs, `must be at least ${V.retryBaseMs} (${s.retryBaseMs})`);
  return s;
}
