import assert from "node:assert/strict";
import {
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { statusOf, tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { scannedUploadBucket } from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

describe("access rule with the scanner's verdicts, on the real store", () => {
  let scanner: Scanner;
  let bucket: string;
  let uploader: S3Client;
  let scannerUser: S3Client;

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket());
    uploader = await clientAs("uploader");
    scannerUser = await clientAs("scanner");
    await upload(bucket, "infected.txt", EICAR);
    await upload(bucket, "clean.txt", "hello");
    await upload(bucket, "unscanned.txt", "not yet");
    await scanner.handle(s3Event({ bucket, key: "infected.txt" }, { bucket, key: "clean.txt" }));
  });
  after(() => scanner?.close());

  const get = (client: S3Client, key: string) =>
    client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));

  it("denies the ordinary user reads of objects tagged Infected=true", async () => {
    assert.equal((await tagsOf(bucket, "infected.txt")).Infected, "true");
    assert.equal(await statusOf(get(uploader, "infected.txt")), 403);
    assert.equal(
      await statusOf(uploader.send(new HeadObjectCommand({ Bucket: bucket, Key: "infected.txt" }))),
      403,
    );
  });

  it("denies the ordinary user reads of objects not scanned yet", async () => {
    assert.equal(await statusOf(get(uploader, "unscanned.txt")), 403);
  });

  it("lets the ordinary user read objects scanned clean", async () => {
    assert.equal(await statusOf(get(uploader, "clean.txt")), 200);
  });

  it("does not let the ordinary user set or remove the verdict tags", async () => {
    const clear = new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: "infected.txt",
      Tagging: { TagSet: [{ Key: "Infected", Value: "false" }] },
    });
    assert.equal(await statusOf(uploader.send(clear)), 403);
    assert.equal(
      await statusOf(uploader.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: "infected.txt" }))),
      403,
    );
    assert.equal((await tagsOf(bucket, "infected.txt")).Infected, "true");
  });

  it("does not let the ordinary user upload an object already tagged clean", async () => {
    const forged = new PutObjectCommand({
      Bucket: bucket,
      Key: "forged.txt",
      Body: EICAR,
      Tagging: "Infected=false",
    });
    assert.equal(await statusOf(uploader.send(forged)), 403);
  });

  it("lets the scanner read every object, infected and unscanned included", async () => {
    for (const key of ["infected.txt", "unscanned.txt", "clean.txt"])
      assert.equal(await statusOf(get(scannerUser, key)), 200, key);
  });
});
