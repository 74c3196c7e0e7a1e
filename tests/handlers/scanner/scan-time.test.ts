import assert from "node:assert/strict";
import { engineMaxScanTimeMs } from "../../../core/handler-config";
import { ScanStatus } from "../../../core/verdict";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { scannedUploadBucket } from "../support/handlers";
import { slowZip } from "../support/slow-zip";

// The engine gets 3 s of it (engineMaxScanTimeMs); before clamd had a MaxScanTime of its own, the
// slow archive below ran into the scanner's timeout and failed instead.
const SCAN_TIMEOUT_MS = 6_000;

describe("scanner: the engine's scan time limit", () => {
  let scanner: Scanner;
  let bucket: string;

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket({ scanTimeoutMs: SCAN_TIMEOUT_MS }));
  });
  after(() => scanner?.close());

  const scan = async (key: string) =>
    ((await scanner.handle(s3Event({ bucket, key }))) as { results: ObjectResult[] }).results[0];

  it("ends an archive that takes longer than MaxScanTime with limits exceeded, not infected or failed", async function () {
    this.timeout(60_000);
    assert.equal(engineMaxScanTimeMs(SCAN_TIMEOUT_MS), 3_000);
    // 1.8 GB of text in 900 distinct members, 5 MB to upload: far more than 3 s of scanning here
    // (about 25 s unbounded), and under every size limit.
    await upload(bucket, "slow.zip", slowZip(900, 2_000_000));
    const result = await scan("slow.zip");
    assert.equal(result.outcome, "tagged", result.outcome === "failed" ? result.error.message : "");
    assert.equal(result.outcome === "tagged" && result.status, ScanStatus.LimitsExceeded);
    const tags = await tagsOf(bucket, "slow.zip");
    assert.equal(tags.Infected, "true");
    assert.equal(tags.ScanResult, "limits-exceeded:Heuristics.Limits.Exceeded.MaxScanTime");
  });

  it("scans the same kind of archive clean when it fits in the time", async function () {
    this.timeout(60_000);
    await upload(bucket, "quick.zip", slowZip(5, 2_000_000));
    const result = await scan("quick.zip");
    assert.equal(result.outcome === "tagged" && result.status, ScanStatus.Clean);
    assert.equal((await tagsOf(bucket, "quick.zip")).Infected, "false");
  });
});
