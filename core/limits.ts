/**
 * The ranges the scanner's and updater's numeric settings must fall in, with the reason for each
 * bound. The one place both entry points check against: the stack settings (`core/settings.ts`, by
 * `bucketwarden:*` names) and the components' arguments (by argument names).
 */
import { ConfigError } from "./errors";
import { ENGINE_MAX_OBJECT_BYTES } from "./handler-config";
import * as size from "./sizing";

/** An inclusive range, and why its bounds are what they are (appended to the error, may be empty). */
export interface Limit {
  readonly min: number;
  readonly max: number;
  readonly why?: string;
}

/** The scanner function and its trigger. */
export const ScannerLimits = {
  memoryMb(officialDatabases: boolean): Limit {
    return {
      min: size.minimumScannerMemoryMb(officialDatabases),
      max: size.LAMBDA_MEMORY_MB.max,
      why: officialDatabases
        ? ` (ClamAV's official database takes ~${size.ENGINE_MEMORY_MB} MB to load; ` +
          `${size.CONCURRENT_RELOAD_MEMORY_MB} lets clamd reload it without stopping scans)`
        : "",
    };
  },
  timeoutSeconds: {
    min: size.MIN_SCANNER_TIMEOUT_SECONDS,
    max: size.LAMBDA_TIMEOUT_SECONDS.max,
    why: " (a cold start loads the database before the first scan)",
  } as Limit,
  /** `objectsName` names the largest-object setting in the explanation; `note` ends it. */
  ephemeralStorageMb(maxObjectBytes: number, batchSize: number, objectsName: string, note = ""): Limit {
    const n = size.scansAtOnce(batchSize);
    const objects =
      n === 1 ? `the largest object, ${objectsName},` : `${n} objects as large as ${objectsName} at once,`;
    return {
      min: size.requiredScannerStorageMb(maxObjectBytes, batchSize),
      max: size.LAMBDA_EPHEMERAL_MB.max,
      why: ` (clamd spools each object to /tmp: ${objects} plus the database twice plus scratch${note})`,
    };
  },
  maxObjectBytes: { min: 1, max: ENGINE_MAX_OBJECT_BYTES } as Limit,
  maxConcurrency: { min: 2, max: 1000 } as Limit,
  /** Events per invocation (queue trigger only). */
  batchSize: { min: 1, max: 10 } as Limit,
  oldestMessageAlarmSeconds: { min: 60, max: 1_209_600 } as Limit,
} as const;

/** The definitions updater. */
export const UpdaterLimits = {
  memoryMb(officialDatabases: boolean): Limit {
    return {
      min: size.minimumUpdaterMemoryMb(officialDatabases),
      max: size.LAMBDA_MEMORY_MB.max,
      why: " (the updater test-loads every new database before publishing it)",
    };
  },
  timeoutSeconds: { min: size.MIN_UPDATER_TIMEOUT_SECONDS, max: size.LAMBDA_TIMEOUT_SECONDS.max } as Limit,
  ephemeralStorageMb: {
    min: size.UPDATER_STORAGE_MB,
    max: size.LAMBDA_EPHEMERAL_MB.max,
    why: " (the previous database and the new one side by side, plus scratch)",
  } as Limit,
} as const;

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** `n` if it is a whole number within `limit`; otherwise a {@link ConfigError} naming `name`. */
export function checkLimit(name: string, n: number, limit: Limit): number {
  const why = limit.why ?? "";
  if (!Number.isInteger(n)) throw new ConfigError(name, `must be a whole number, got ${n}`);
  if (n < limit.min) throw new ConfigError(name, `must be at least ${limit.min}${why}, got ${n}`);
  if (n > limit.max) throw new ConfigError(name, `must be at most ${limit.max}${why}, got ${n}`);
  return n;
}

/** `days` if CloudWatch Logs accepts it as a retention period; otherwise a {@link ConfigError} naming `name`. */
export function checkLogRetention(name: string, days: number): number {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days))
    throw new ConfigError(name, `must be one of ${LOG_RETENTION_DAYS.join(", ")}, got ${days}`);
  return days;
}
