import assert from "node:assert/strict";
import { GetObjectCommand, PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import { stampKeyKey } from "../../../core/stamp";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { readStampKey } from "../../../handlers/shared/stamp-key";
import { statusOf, tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { RecordingLog, scannedUploadBucket } from "../support/handlers";
import { RecordingMetrics } from "../support/metrics";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

/**
 * Verdict tags the scanner did not write, however they got there (a POST upload or a copy on a store
 * that does not check them, a policy gap): they are planted here with the one identity allowed to
 * write them, so that the test is about what the scanner makes of them.
 */
async function plant(bucket: string, key: string, tags: Record<string, string>) {
  const scanner = await clientAs("scanner");
  await scanner.send(
    new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: key,
      Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    }),
  );
}

describe("scanner: only its own stamped verdicts count as scans", () => {
  let scanner: Scanner;
  let bucket: string;
  let definitions: { bucket: string; version: string };
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();

  before(async function () {
    this.timeout(180_000);
    const scanned = await scannedUploadBucket({}, { log, metrics });
    ({ bucket, scanner } = scanned);
    definitions = { bucket: scanned.definitions.bucket, version: scanned.definitions.result.version ?? "" };
  });
  after(() => scanner?.close());

  async function scan(key: string): Promise<ObjectResult> {
    const report = (await scanner.handle(s3Event({ bucket, key }))) as { results: ObjectResult[] };
    return report.results[0];
  }

  it("rescans EICAR that arrives tagged clean with the stamp anyone can compute, and tags it infected", async () => {
    const put = await upload(bucket, "forged/computed.com", EICAR);
    const eTag = (put.ETag ?? "").replace(/"/g, "");
    await plant(bucket, "forged/computed.com", {
      Infected: "false",
      ScanResult: "clean",
      ScanStamp: `${definitions.version}/${eTag}`,
    });
    const before = metrics.of("VerdictForgeryAttempts");
    const result = await scan("forged/computed.com");
    assert.equal(result.outcome, "tagged");
    const tags = await tagsOf(bucket, "forged/computed.com");
    assert.equal(tags.Infected, "true");
    assert.equal(tags.ScanResult, "infected:Bucketwarden.Test.Eicar.UNOFFICIAL");
    assert.notEqual(tags.ScanStamp, `${definitions.version}/${eTag}`);
    assert.equal(metrics.of("VerdictForgeryAttempts"), before + 1);
    const line = log.messages("verdict forgery attempt").find((l) => l.key === "forged/computed.com");
    assert.ok(line, "the forgery is logged");
    assert.equal(line.level, "warn");
  });

  it("rescans EICAR that carries a real stamp copied from a clean object", async () => {
    await upload(bucket, "forged/clean.txt", "harmless\n");
    await scan("forged/clean.txt");
    const clean = await tagsOf(bucket, "forged/clean.txt");
    assert.equal(clean.Infected, "false");
    await upload(bucket, "forged/copied.com", EICAR);
    await plant(bucket, "forged/copied.com", clean);
    const before = metrics.of("VerdictForgeryAttempts");
    await scan("forged/copied.com");
    assert.equal((await tagsOf(bucket, "forged/copied.com")).Infected, "true");
    assert.equal(metrics.of("VerdictForgeryAttempts"), before + 1);
  });

  it("rescans an object tagged clean with no stamp at all", async () => {
    await upload(bucket, "forged/bare.com", EICAR);
    await plant(bucket, "forged/bare.com", { Infected: "false" });
    const before = metrics.of("VerdictForgeryAttempts");
    await scan("forged/bare.com");
    assert.equal((await tagsOf(bucket, "forged/bare.com")).Infected, "true");
    assert.equal(metrics.of("VerdictForgeryAttempts"), before + 1);
  });

  it("skips its own verdict when the event comes again, without calling it a forgery", async () => {
    await upload(bucket, "own.com", EICAR);
    await scan("own.com");
    const tagged = await tagsOf(bucket, "own.com");
    const before = metrics.of("VerdictForgeryAttempts");
    const again = await scan("own.com");
    assert.equal(again.outcome, "skipped");
    assert.deepEqual(await tagsOf(bucket, "own.com"), tagged);
    assert.equal(metrics.of("VerdictForgeryAttempts"), before);
  });

  it("drops user tags whose keys are a verdict key in another letter case, and counts them", async () => {
    await upload(bucket, "reserved.com", EICAR, { project: "apollo" });
    await plant(bucket, "reserved.com", { project: "apollo", infected: "false", scanresult: "clean" });
    const before = metrics.of("ReservedTagKeysDropped");
    await scan("reserved.com");
    const tags = await tagsOf(bucket, "reserved.com");
    assert.deepEqual(Object.keys(tags).sort(), ["Infected", "ScanResult", "ScanStamp", "project"]);
    assert.equal(tags.Infected, "true");
    assert.equal(metrics.of("ReservedTagKeysDropped"), before + 2);
    const line = log.messages("reserved tag keys dropped").find((l) => l.key === "reserved.com");
    assert.ok(line, "the dropped keys are logged");
    assert.deepEqual(
      (line.dropped as Array<{ Key: string }>).map((t) => t.Key),
      ["infected", "scanresult"],
    );
  });

  it("does not skip its own current verdict while a reserved key sits beside it", async () => {
    await upload(bucket, "own-reserved.txt", "harmless\n");
    await scan("own-reserved.txt");
    const own = await tagsOf(bucket, "own-reserved.txt");
    await plant(bucket, "own-reserved.txt", { ...own, INFECTED: "false" });
    const again = await scan("own-reserved.txt");
    assert.equal(again.outcome, "tagged");
    assert.deepEqual(Object.keys(await tagsOf(bucket, "own-reserved.txt")).sort(), [
      "Infected",
      "ScanResult",
      "ScanStamp",
    ]);
  });

  it("keeps the stamp key where the uploader cannot read it", async () => {
    const uploader = await clientAs("uploader");
    const status = await statusOf(
      uploader.send(new GetObjectCommand({ Bucket: definitions.bucket, Key: stampKeyKey("clamav/") })),
    );
    assert.equal(status, 403);
    // ...while the scanner can, and it is a 256-bit key.
    const key = await readStampKey(await clientAs("scanner"), {
      bucket: definitions.bucket,
      prefix: "clamav/",
    });
    assert.equal(key.length, 32);
  });
});
