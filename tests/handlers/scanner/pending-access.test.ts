/**
 * The pending mark under the real store's policy evaluation: the access rule with
 * `preExistingReadable` keeps versions the marker tagged `Infected=pending` readable, and nothing else
 * the strict rule denies. The marker is stood in for by the scanner user writing the mark, as it does.
 */
import assert from "node:assert/strict";
import {
  GetObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createUploadBucket, statusOf, tagsOf, upload } from "../support/buckets";
import { clientAs } from "../support/store";

async function markAsScanner(bucket: string, key: string, tags: Record<string, string>): Promise<void> {
  const scanner = await clientAs("scanner");
  await scanner.send(
    new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: key,
      Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    }),
  );
}

describe("access rule with pre-existing objects readable until scanned, on the real store", () => {
  let uploader: S3Client;
  const get = (bucket: string, key: string) =>
    uploader.send(new GetObjectCommand({ Bucket: bucket, Key: key }));

  async function adoptedBucket(preExistingReadable: boolean): Promise<string> {
    const bucket = await createUploadBucket({ versioned: true, preExistingReadable });
    await upload(bucket, "old.txt", "served before adoption", { owner: "team-a" });
    await upload(bucket, "new.txt", "uploaded after adoption");
    await upload(bucket, "bad.txt", "flagged");
    await markAsScanner(bucket, "old.txt", { owner: "team-a", Infected: "pending" });
    await markAsScanner(bucket, "bad.txt", { Infected: "true", ScanResult: "infected" });
    return bucket;
  }

  let bucket: string;
  let strict: string;
  before(async function () {
    this.timeout(120_000);
    uploader = await clientAs("uploader");
    bucket = await adoptedBucket(true);
    strict = await adoptedBucket(false);
  });

  it("lets the uploader read an object the marker tagged Infected=pending", async () => {
    assert.deepEqual(await tagsOf(bucket, "old.txt"), { owner: "team-a", Infected: "pending" });
    assert.equal(await statusOf(get(bucket, "old.txt")), 200);
  });

  it("denies reads of an untagged object, as a new upload is until scanned", async () => {
    assert.equal(await statusOf(get(bucket, "new.txt")), 403);
  });

  it("denies reads of an object tagged Infected=true", async () => {
    assert.equal(await statusOf(get(bucket, "bad.txt")), 403);
  });

  it("denies the uploader an upload tagged Infected=pending", async () => {
    const forged = new PutObjectCommand({
      Bucket: bucket,
      Key: "forged.txt",
      Body: "not scanned",
      Tagging: "Infected=pending",
    });
    assert.equal(await statusOf(uploader.send(forged)), 403);
  });

  it("denies the uploader tagging its unscanned upload Infected=pending", async () => {
    const mark = new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: "new.txt",
      Tagging: { TagSet: [{ Key: "Infected", Value: "pending" }] },
    });
    assert.equal(await statusOf(uploader.send(mark)), 403);
    assert.deepEqual(await tagsOf(bucket, "new.txt"), {});
    assert.equal(await statusOf(get(bucket, "new.txt")), 403);
  });

  it("denies reads of the pending object under the strict rule", async () => {
    assert.equal(await statusOf(get(strict, "old.txt")), 403);
    assert.equal(await statusOf(get(strict, "new.txt")), 403);
  });
});
