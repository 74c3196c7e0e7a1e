import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { RecordingLog, scannedUploadBucket } from "../support/handlers";
import { EICAR, TESTFILES_DIR, testFiles } from "../support/signatures";

describe("scanner verdicts on the real engine", () => {
  let scanner: Scanner;
  let bucket: string;
  let definitionsVersion: string;
  const log = new RecordingLog();

  before(async function () {
    this.timeout(180_000);
    const scanned = await scannedUploadBucket({}, { log });
    ({ bucket, scanner } = scanned);
    definitionsVersion = scanned.definitions.result.version ?? "";
  });
  after(() => scanner?.close());

  async function uploadAndScan(key: string, body: Buffer | string, tags: Record<string, string> = {}) {
    const put = await upload(bucket, key, body, tags);
    const report = await scanner.handle(
      s3Event({ bucket, key, eTag: put.ETag?.replace(/"/g, ""), size: Buffer.byteLength(body) }),
    );
    return (report as { results: ObjectResult[] }).results[0];
  }

  it("tags every file of clamav-testfiles Infected=true", async function () {
    this.timeout(120_000);
    const files = testFiles();
    assert.equal(files.length, 44);
    const missed: string[] = [];
    for (const name of files) {
      const result = await uploadAndScan(`testfiles/${name}`, readFileSync(join(TESTFILES_DIR, name)));
      const tags = await tagsOf(bucket, `testfiles/${name}`);
      if (result.outcome !== "tagged" || tags.Infected !== "true")
        missed.push(`${name}: ${JSON.stringify(tags)}`);
    }
    assert.deepEqual(missed, []);
  });

  it("tags EICAR Infected=true and records the signature and the definitions that found it", async () => {
    const result = await uploadAndScan("eicar.com", EICAR);
    assert.equal(result.outcome, "tagged");
    const tags = await tagsOf(bucket, "eicar.com");
    assert.equal(tags.Infected, "true");
    assert.equal(tags.ScanResult, "infected:Bucketwarden.Test.Eicar.UNOFFICIAL");
    assert.ok(tags.ScanStamp.startsWith(`${definitionsVersion}/`));
  });

  it("tags clean files Infected=false", async () => {
    for (const [key, body] of [
      ["clean/readme.txt", "nothing to see here\n"],
      ["clean/random.bin", Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251))],
    ] as const) {
      await uploadAndScan(key, body);
      assert.equal((await tagsOf(bucket, key)).Infected, "false", key);
    }
  });

  it("scans a zero-byte object and tags it clean", async () => {
    const result = await uploadAndScan("empty", "");
    assert.equal(result.outcome, "tagged");
    assert.equal((await tagsOf(bucket, "empty")).Infected, "false");
  });

  it("keeps the uploader's own tags beside the verdict", async () => {
    await uploadAndScan("tagged/eicar.txt", EICAR, { project: "apollo", owner: "team a" });
    await uploadAndScan("tagged/clean.txt", "hello", { project: "apollo" });
    assert.deepEqual(await tagsOf(bucket, "tagged/eicar.txt"), {
      project: "apollo",
      owner: "team a",
      Infected: "true",
      ScanResult: "infected:Bucketwarden.Test.Eicar.UNOFFICIAL",
      ScanStamp: (await tagsOf(bucket, "tagged/eicar.txt")).ScanStamp,
    });
    assert.equal((await tagsOf(bucket, "tagged/clean.txt")).project, "apollo");
  });

  it("skips an object already scanned with the same definitions when the event comes again", async () => {
    await uploadAndScan("again.txt", "same content");
    const put = await tagsOf(bucket, "again.txt");
    const report = (await scanner.handle(s3Event({ bucket, key: "again.txt" }))) as {
      results: ObjectResult[];
    };
    assert.equal(report.results[0].outcome, "skipped");
    assert.deepEqual(await tagsOf(bucket, "again.txt"), put);
  });

  it("logs one line per verdict with the object, verdict, signature, definitions and durations", () => {
    const line = log.messages("verdict").find((l) => l.key === "eicar.com");
    assert.ok(line);
    assert.equal(line.verdict, "infected");
    assert.equal(line.signature, "Bucketwarden.Test.Eicar.UNOFFICIAL");
    assert.equal(line.definitionsVersion, definitionsVersion);
    assert.deepEqual(Object.keys(line.durations as object).sort(), ["getMs", "headMs", "scanMs", "tagMs"]);
  });
});
