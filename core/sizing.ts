/**
 * How big the Lambda functions must be for ClamAV, and why. The stack settings check against these
 * and the components take their defaults from them, so the reasoning lives in one place.
 *
 * Memory: clamd holds the whole signature database in RAM. With ClamAV's official databases (main,
 * daily, bytecode: some 8 million signatures) the loaded engine takes about 1.2-1.5 GB, and it grows
 * with the database. When new definitions arrive, clamd can build the new engine beside the old one and
 * swap (`ConcurrentDatabaseReload`), which for a moment needs twice that; with less memory it reloads
 * in place and scans wait (see `concurrentReloadFits`). The Node runtime and the
 * handler add a little. Lambda also gives CPU in proportion to memory (1 vCPU at 1769 MB), and loading
 * the database is CPU-bound, so the default errs on the generous side.
 *
 * Ephemeral storage (`/tmp`): clamd spools every `INSTREAM` to a temporary file before scanning it,
 * so `/tmp` must hold the largest object; the database is on disk too, twice while a new one is
 * downloaded beside the one in use; and clamd unpacks archives into its temporary directory.
 */

/** Peak memory of one engine loaded with the official databases, with room for their growth. */
export const ENGINE_MEMORY_MB = 1536;

/** The Node runtime, the handler and the S3 client. */
export const RUNTIME_MEMORY_MB = 256;

/** The official databases on disk (main.cvd ~160 MB, daily ~60-110 MB, bytecode), with room to grow. */
export const DATABASE_DISK_MB = 400;

/** Room for clamd's unpacked archive members and other temporary files. */
export const SCRATCH_DISK_MB = 512;

/** Lambda's limits. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;
export const LAMBDA_EPHEMERAL_MB = { min: 512, max: 10_240 } as const;
export const LAMBDA_TIMEOUT_SECONDS = { min: 1, max: 900 } as const;

/** A database other than the official one (custom signatures only) is small; Lambda's floor then rules. */
const SMALL_DATABASE_MEMORY_MB = 512;

/** The least memory with which the scanner can load its database at all (no concurrent reload). */
export function minimumScannerMemoryMb(officialDatabases: boolean): number {
  return officialDatabases ? ENGINE_MEMORY_MB + RUNTIME_MEMORY_MB : SMALL_DATABASE_MEMORY_MB;
}

/**
 * The most memory a new account may give a function until a quota increase: many new accounts are
 * refused anything above 3,008 MB, so no default may exceed it.
 */
export const CAPPED_ACCOUNT_MEMORY_MB = 3008;

/** Memory that holds two official engines at once (the old one scanning, the new one loading) and the runtime. */
export const CONCURRENT_RELOAD_MEMORY_MB = 2 * ENGINE_MEMORY_MB + RUNTIME_MEMORY_MB;

/**
 * The scanner's default memory: the most a capped account allows. It holds one official engine with
 * ample room but not two, so clamd reloads new definitions in place (see {@link concurrentReloadFits}).
 * Accounts with the quota raised can give {@link CONCURRENT_RELOAD_MEMORY_MB} or more.
 */
export const DEFAULT_SCANNER_MEMORY_MB = CAPPED_ACCOUNT_MEMORY_MB;

/**
 * Whether clamd may build the new engine beside the old one (`ConcurrentDatabaseReload yes`), so scans
 * continue during a reload. With less memory than two engines need, the function would run out of
 * memory mid-reload and be killed; clamd must then reload in place, and scans wait for the reload
 * (about as long as a cold start's database load, a few times a day when definitions change).
 * Decided for the official database's size: a small custom database fits either way, but this stays
 * on the safe side.
 */
export function concurrentReloadFits(memoryMb: number): boolean {
  return memoryMb >= CONCURRENT_RELOAD_MEMORY_MB;
}

/**
 * The updater proves each new database loads (clamscan, one engine) before publishing it, so it
 * needs one engine's memory.
 */
export function minimumUpdaterMemoryMb(officialDatabases: boolean): number {
  return minimumScannerMemoryMb(officialDatabases);
}

/** The updater's default memory: one engine, the runtime, and headroom for freshclam's downloads. */
export const DEFAULT_UPDATER_MEMORY_MB = 2048;

/**
 * How many objects of one invocation the scanner scans at once (each spooled to `/tmp` by clamd at the
 * same time). The scanner handler's concurrency must not exceed this.
 */
export const SCANNER_SCANS_AT_ONCE = 2;

/** Objects one scanner holds in `/tmp` at once: a batch of one is one; larger batches run two at a time. */
export function scansAtOnce(batchSize: number): number {
  return Math.max(1, Math.min(batchSize, SCANNER_SCANS_AT_ONCE));
}

/**
 * `/tmp` the scanner needs to scan objects of up to `maxObjectBytes`, `batchSize` events per invocation:
 * every object scanned at once (see {@link scansAtOnce}) may be the largest, plus the database twice and
 * scratch.
 */
export function requiredScannerStorageMb(maxObjectBytes: number, batchSize = 1): number {
  const objectMb = Math.ceil(maxObjectBytes / 1024 / 1024);
  return Math.max(
    LAMBDA_EPHEMERAL_MB.min,
    scansAtOnce(batchSize) * objectMb + 2 * DATABASE_DISK_MB + SCRATCH_DISK_MB,
  );
}

/** `/tmp` the updater needs: the previous database restored, the new one beside it, and scratch. */
export const UPDATER_STORAGE_MB = 2 * DATABASE_DISK_MB + SCRATCH_DISK_MB;

/**
 * The scanner's default timeout: Lambda's maximum. A cold start spends up to a few minutes loading the
 * database before the first scan, and a scan that times out leaves the object unreadable (fail-closed)
 * and retried, so a generous limit costs nothing on the happy path.
 */
export const DEFAULT_SCANNER_TIMEOUT_SECONDS = 900;

/** The shortest sensible scanner timeout: a cold start loads the database (up to ~3 minutes) first. */
export const MIN_SCANNER_TIMEOUT_SECONDS = 300;

/** The updater's default timeout: download, test-load and upload of the whole database on a first run. */
export const DEFAULT_UPDATER_TIMEOUT_SECONDS = 600;

/** The shortest sensible updater timeout. */
export const MIN_UPDATER_TIMEOUT_SECONDS = 120;

/** The first retry's delay after a scan failed transiently. */
export const SCAN_RETRY_BASE_SECONDS = 10;

/** The longest delay between two tries. */
export const SCAN_RETRY_MAX_SECONDS = 15 * 60;

/**
 * How long a failed upload event waits before its next try, after `receiveCount` tries (1-based):
 * 10, 20, 40, 80 s..., at most 15 minutes. The scanner sets it with ChangeMessageVisibility when it
 * reports the event failed (handlers/scanner/retry.ts computes the same schedule), so an unreadable
 * object (fail-closed) is retried within seconds, not after the queue's visibility timeout.
 */
export function scanRetryDelaySeconds(receiveCount: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  return Math.min(SCAN_RETRY_MAX_SECONDS, SCAN_RETRY_BASE_SECONDS * 2 ** Math.min(n - 1, 20));
}

/**
 * Tries before SQS moves an event to the dead-letter queue (and its alarm fires): five, so an event
 * that keeps failing is dead-lettered a few minutes after its first failure (10 + 20 + 40 + 80 s of
 * back-off, plus the tries), not hours.
 */
export const QUEUE_MAX_RECEIVE_COUNT = 5;

/** Seconds an event waits in back-off before it is dead-lettered. */
export function backOffBeforeDeadLetterSeconds(): number {
  let total = 0;
  for (let n = 1; n < QUEUE_MAX_RECEIVE_COUNT; n++) total += scanRetryDelaySeconds(n);
  return total;
}

/** Margin past the function's timeout before an in-flight event reappears. */
const VISIBILITY_MARGIN_SECONDS = 60;

/**
 * SQS visibility timeout for a queue that feeds a function with this timeout. Lambda refuses an event
 * source mapping whose queue's visibility timeout is shorter than the function's timeout; a little
 * more keeps an event hidden while its scan may still run. It is not AWS's suggested six timeouts
 * (for retries while throttled): the mapping's maximum concurrency keeps the scanner from being
 * throttled, a rescan is harmless (the scanner skips content already scanned with the same
 * definitions), and a scanner that crashed or timed out would otherwise leave the object unreadable
 * for 90 minutes before its retry. A scan that fails cleanly shortens its own wait with
 * {@link scanRetryDelaySeconds}.
 */
export function queueVisibilityTimeoutSeconds(functionTimeoutSeconds: number): number {
  return functionTimeoutSeconds + VISIBILITY_MARGIN_SECONDS;
}
