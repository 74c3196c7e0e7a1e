import assert from "node:assert/strict";
import * as size from "../../core/sizing";

describe("core/sizing", () => {
  const table: Array<[string, () => number, number]> = [
    [
      "gives the scanner room for two engines during a reload, plus the runtime",
      () => size.DEFAULT_SCANNER_MEMORY_MB,
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
      "keeps a queued event invisible for six function timeouts",
      () => size.queueVisibilityTimeoutSeconds(900),
      5400,
    ],
  ];
  for (const [title, run, expected] of table) it(title, () => assert.equal(run(), expected));

  it("keeps every default inside Lambda's limits", () => {
    for (const mb of [size.DEFAULT_SCANNER_MEMORY_MB, size.DEFAULT_UPDATER_MEMORY_MB])
      assert.ok(mb >= size.LAMBDA_MEMORY_MB.min && mb <= size.LAMBDA_MEMORY_MB.max);
    for (const s of [size.DEFAULT_SCANNER_TIMEOUT_SECONDS, size.DEFAULT_UPDATER_TIMEOUT_SECONDS])
      assert.ok(s <= size.LAMBDA_TIMEOUT_SECONDS.max);
    assert.ok(size.requiredScannerStorageMb(2_000_000_000) <= size.LAMBDA_EPHEMERAL_MB.max);
  });

  it("keeps the default updater memory above its minimum", () => {
    assert.ok(size.DEFAULT_UPDATER_MEMORY_MB >= size.minimumUpdaterMemoryMb(true));
  });

  it("keeps the visibility timeout of the longest scanner within SQS's 12 hours", () => {
    assert.ok(size.queueVisibilityTimeoutSeconds(size.LAMBDA_TIMEOUT_SECONDS.max) <= 43_200);
  });
});
