import assert from "node:assert/strict";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { createUploadBucket, statusOf, tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { scannerConfig, testDefinitions, testScanner } from "../support/handlers";
import { commandsTo, onceAfter } from "../support/hooks";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

describe("versions and overwrites", () => {
  let definitionsBucket: string;
  const scanners: Scanner[] = [];

  before(async function () {
    this.timeout(180_000);
    definitionsBucket = (await testDefinitions()).bucket;
  });
  after(() => Promise.all(scanners.map((s) => s.close())));

  /** A scanner whose S3 client runs `action` right after its first request of `command`. */
  async function scannerWith(bucket?: string, command?: string, action?: () => Promise<unknown>) {
    const s3 = await clientAs("scanner");
    if (bucket && command && action) onceAfter(s3, command, bucket, action);
    const scanner = await testScanner(await scannerConfig(definitionsBucket), { s3 });
    scanners.push(scanner);
    return scanner;
  }

  const results = (r: unknown) => (r as { results: ObjectResult[] }).results;
  const readAs = async (bucket: string, key: string, versionId?: string) =>
    statusOf(
      (await clientAs("uploader")).send(
        new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      ),
    );

  it("tags each version of a versioned object with its own verdict", async () => {
    const bucket = await createUploadBucket({ versioned: true });
    const v1 = await upload(bucket, "doc", EICAR);
    const v2 = await upload(bucket, "doc", "clean now");
    const scanner = await scannerWith();
    await scanner.handle(
      s3Event(
        { bucket, key: "doc", versionId: v1.VersionId },
        { bucket, key: "doc", versionId: v2.VersionId },
      ),
    );
    assert.equal((await tagsOf(bucket, "doc", v1.VersionId)).Infected, "true");
    assert.equal((await tagsOf(bucket, "doc", v2.VersionId)).Infected, "false");
    assert.equal(await readAs(bucket, "doc"), 200);
    assert.equal(await readAs(bucket, "doc", v1.VersionId), 403);
  });

  it("tags the version it scanned when a new version lands during the scan", async () => {
    const bucket = await createUploadBucket({ versioned: true });
    const v1 = await upload(bucket, "doc", EICAR);
    let v2: string | undefined;
    const scanner = await scannerWith(bucket, "GetObjectCommand", async () => {
      v2 = (await upload(bucket, "doc", "clean replacement")).VersionId;
    });
    const [result] = results(await scanner.handle(s3Event({ bucket, key: "doc", versionId: v1.VersionId })));

    assert.equal(result.outcome, "tagged");
    assert.equal((await tagsOf(bucket, "doc", v1.VersionId)).Infected, "true");
    assert.deepEqual(await tagsOf(bucket, "doc", v2), {}, "the new version waits for its own event");
  });

  it("reads a version with one GET and no HeadObject, and tags that version", async () => {
    const bucket = await createUploadBucket({ versioned: true });
    const v1 = await upload(bucket, "doc", EICAR);
    const s3 = await clientAs("scanner");
    const sent = commandsTo(s3, bucket);
    const scanner = await testScanner(await scannerConfig(definitionsBucket), { s3 });
    scanners.push(scanner);
    const [result] = results(await scanner.handle(s3Event({ bucket, key: "doc", versionId: v1.VersionId })));

    assert.equal(result.outcome, "tagged");
    assert.deepEqual([...sent].sort(), [
      "GetObjectCommand",
      "GetObjectTaggingCommand",
      "PutObjectTaggingCommand",
    ]);
    assert.equal((await tagsOf(bucket, "doc", v1.VersionId)).Infected, "true");
  });

  it("pins the version the GET read when the event names none", async () => {
    const bucket = await createUploadBucket({ versioned: true });
    const v1 = await upload(bucket, "doc", EICAR);
    let v2: string | undefined;
    const scanner = await scannerWith(bucket, "GetObjectCommand", async () => {
      v2 = (await upload(bucket, "doc", "clean replacement")).VersionId;
    });
    await scanner.handle(s3Event({ bucket, key: "doc" }));
    assert.equal((await tagsOf(bucket, "doc", v1.VersionId)).Infected, "true");
    assert.deepEqual(await tagsOf(bucket, "doc", v2), {});
  });

  it("does not put an old verdict on new content that overwrote an unversioned object during the scan", async () => {
    const bucket = await createUploadBucket();
    await upload(bucket, "doc", "clean at first");
    const scanner = await scannerWith(bucket, "GetObjectCommand", () => upload(bucket, "doc", EICAR));
    const [result] = results(await scanner.handle(s3Event({ bucket, key: "doc" })));

    assert.deepEqual(
      [result.outcome, result.outcome === "skipped" && result.reason],
      ["skipped", "overwritten"],
    );
    assert.deepEqual(await tagsOf(bucket, "doc"), {});
    assert.equal(await readAs(bucket, "doc"), 403, "the new content is unreadable until scanned");
    await scanner.handle(s3Event({ bucket, key: "doc" }));
    assert.equal((await tagsOf(bucket, "doc")).Infected, "true");
  });

  it("skips an unversioned object overwritten between its GET and the read of its tags", async () => {
    const bucket = await createUploadBucket();
    await upload(bucket, "doc", "first");
    const scanner = await scannerWith(bucket, "GetObjectTaggingCommand", () => upload(bucket, "doc", EICAR));
    const [result] = results(await scanner.handle(s3Event({ bucket, key: "doc" })));
    assert.deepEqual(
      [result.outcome, result.outcome === "skipped" && result.reason],
      ["skipped", "overwritten"],
    );
    assert.deepEqual(await tagsOf(bucket, "doc"), {});
  });
});
