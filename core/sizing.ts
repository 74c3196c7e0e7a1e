/**
 * How big the Lambda functions must be for ClamAV, and why. The stack settings check against these
 * and the components take their defaults from them, so the reasoning lives in one place.
 *
 * Memory: clamd holds the whole signature database in RAM. With ClamAV's official databases (main,
 * daily, bytecode: some 8 million signatures) the loaded engine takes about 1.2-1.5 GB, and it grows
 * with the database. When new definitions arrive, clamd builds the new engine beside the old one and
 * swaps (`ConcurrentDatabaseReload`), so for a moment it needs twice that. The Node runtime and the
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

/** The scanner's default memory: two engines during a reload, plus the runtime. */
export const DEFAULT_SCANNER_MEMORY_MB = 2 * ENGINE_MEMORY_MB + RUNTIME_MEMORY_MB;

/**
 * The updater proves each new database loads (clamscan, one engine) before publishing it, so it
 * needs one engine's memory.
 */
export function minimumUpdaterMemoryMb(officialDatabases: boolean): number {
  return minimumScannerMemoryMb(officialDatabases);
}

/** The updater's default memory: one engine, the runtime, and headroom for freshclam's downloads. */
export const DEFAULT_UPDATER_MEMORY_MB = 2048;

/** `/tmp` the scanner needs to scan objects of up to `maxObjectBytes`. */
export function requiredScannerStorageMb(maxObjectBytes: number): number {
  const objectMb = Math.ceil(maxObjectBytes / 1024 / 1024);
  return Math.max(LAMBDA_EPHEMERAL_MB.min, objectMb + 2 * DATABASE_DISK_MB + SCRATCH_DISK_MB);
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

/**
 * SQS visibility timeout for a queue that feeds a function with this timeout. AWS asks for at least
 * six times the function's timeout, so a message is not handed to a second scanner while Lambda still
 * retries the first batch.
 */
export function queueVisibilityTimeoutSeconds(functionTimeoutSeconds: number): number {
  return 6 * functionTimeoutSeconds;
}
