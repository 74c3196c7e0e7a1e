import assert from "node:assert/strict";
import * as size from "../../core/sizing";

describe("core/sizing", () => {
  const table: Array<[string, () => number, number]> = [
    [
      "gives the scanner by default the most memory an account capped at 3,008 MB allows",
      () => size.DEFAULT_SCANNER_MEMORY_MB,
      3008,
    ],
    [
      "needs two engines and the runtime for a concurrent reload",
      () => size.CONCURRENT_RELOAD_MEMORY_MB,
      2 * size.ENGINE_MEMORY_MB + size.RUNTIME_MEMORY_MB,
    ],
    [
      "needs one engine and the runtime to load the official database at all",
      () => size.minimumScannerMemoryMb(true),
      size.ENGINE_MEMORY_MB + size.RUNTIME_MEMORY_MB,
    ],
    ["needs less without the official database", () => size.minimumScannerMemoryMb(false), 512],
    [
      "lets the updater test-load what it publishes",
      () => size.minimumUpdaterMemoryMb(true),
      size.ENGINE_MEMORY_MB + size.RUNTIME_MEMORY_MB,
    ],
    [
      "sizes /tmp for the largest object, the database twice and scratch",
      () => size.requiredScannerStorageMb(1024 * 1024 * 1000),
      1000 + 2 * size.DATABASE_DISK_MB + size.SCRATCH_DISK_MB,
    ],
    [
      "rounds a partial megabyte of object up",
      () => size.requiredScannerStorageMb(1),
      1 + 2 * size.DATABASE_DISK_MB + size.SCRATCH_DISK_MB,
    ],
    [
      "sizes the updater's /tmp for two databases and scratch",
      () => size.UPDATER_STORAGE_MB,
      2 * size.DATABASE_DISK_MB + size.SCRATCH_DISK_MB,
    ],
    [
      "sizes /tmp for two objects at once when a batch holds more than one",
      () => size.requiredScannerStorageMb(1024 * 1024 * 1000, 10),
      2 * 1000 + 2 * size.DATABASE_DISK_MB + size.SCRATCH_DISK_MB,
    ],
    [
      "sizes /tmp for one object with a batch of one",
      () => size.requiredScannerStorageMb(1024 * 1024 * 1000, 1),
      1000 + 2 * size.DATABASE_DISK_MB + size.SCRATCH_DISK_MB,
    ],
    [
      "keeps a queued event invisible a minute past the function's timeout, never less (Lambda refuses that)",
      () => size.queueVisibilityTimeoutSeconds(900),
      960,
    ],
    ["retries a failed scan after 10 seconds first", () => size.scanRetryDelaySeconds(1), 10],
    ["doubles the wait after each failed try", () => size.scanRetryDelaySeconds(3), 40],
    ["waits a quarter of an hour at most between tries", () => size.scanRetryDelaySeconds(99), 900],
    ["dead-letters an event on its fifth failed try", () => size.QUEUE_MAX_RECEIVE_COUNT, 5],
    ["backs off 150 seconds in all before dead-lettering", () => size.backOffBeforeDeadLetterSeconds(), 150],
  ];
  for (const [title, run, expected] of table) it(title, () => assert.equal(run(), expected));

  it("keeps every default inside Lambda's limits", () => {
    for (const mb of [size.DEFAULT_SCANNER_MEMORY_MB, size.DEFAULT_UPDATER_MEMORY_MB])
      assert.ok(mb >= size.LAMBDA_MEMORY_MB.min && mb <= size.LAMBDA_MEMORY_MB.max);
    for (const s of [size.DEFAULT_SCANNER_TIMEOUT_SECONDS, size.DEFAULT_UPDATER_TIMEOUT_SECONDS])
      assert.ok(s <= size.LAMBDA_TIMEOUT_SECONDS.max);
    assert.ok(size.requiredScannerStorageMb(2_000_000_000) <= size.LAMBDA_EPHEMERAL_MB.max);
  });

  it("deploys on an account capped at 3,008 MB: no default memory above the cap", () => {
    for (const mb of [size.DEFAULT_SCANNER_MEMORY_MB, size.DEFAULT_UPDATER_MEMORY_MB])
      assert.ok(mb <= size.CAPPED_ACCOUNT_MEMORY_MB, `${mb}`);
  });

  const reloads: Array<[string, number, boolean]> = [
    ["turns concurrent reload off at the capped default, which cannot hold two engines", 3008, false],
    ["turns it off just below two engines", size.CONCURRENT_RELOAD_MEMORY_MB - 1, false],
    ["keeps it on with memory for two engines", size.CONCURRENT_RELOAD_MEMORY_MB, true],
    ["keeps it on at Lambda's maximum", size.LAMBDA_MEMORY_MB.max, true],
  ];
  for (const [title, mb, fits] of reloads) it(title, () => assert.equal(size.concurrentReloadFits(mb), fits));

  it("dead-letters an event that keeps failing within minutes, not the hours of the old settings", () => {
    assert.ok(size.backOffBeforeDeadLetterSeconds() <= 3600);
  });

  it("fits two of the largest objects at once within Lambda's /tmp", () => {
    assert.ok(size.requiredScannerStorageMb(2_000_000_000, 10) <= size.LAMBDA_EPHEMERAL_MB.max);
  });

  it("keeps the default updater memory above its minimum", () => {
    assert.ok(size.DEFAULT_UPDATER_MEMORY_MB >= size.minimumUpdaterMemoryMb(true));
  });

  it("keeps the visibility timeout of the longest scanner within SQS's 12 hours", () => {
    assert.ok(size.queueVisibilityTimeoutSeconds(size.LAMBDA_TIMEOUT_SECONDS.max) <= 43_200);
  });
});

describe("core/sizing: the scanner's back-off agrees with the queue's redrive", () => {
  it("is the schedule the scanner handler applies", () => {
    const { retryDelaySeconds } = require("../../handlers/scanner/retry");
    for (let n = 1; n <= 12; n++)
      assert.equal(size.scanRetryDelaySeconds(n), retryDelaySeconds(n), `try ${n}`);
  });
});
