import assert from "node:assert/strict";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { TagLimitError } from "../../../core/errors";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { scannedUploadBucket } from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";
import { zipOf } from "../support/zip";

const MAX_OBJECT_BYTES = 64 * 1024;

describe("objects the engine cannot fully scan", () => {
  let scanner: Scanner;
  let bucket: string;

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket({ maxObjectBytes: MAX_OBJECT_BYTES }));
  });
  after(() => scanner?.close());

  const scan = async (key: string) =>
    ((await scanner.handle(s3Event({ bucket, key }))) as { results: ObjectResult[] }).results[0];

  it("tags an object over maxObjectBytes infected with a limits-exceeded result, without reading it", async () => {
    await upload(bucket, "big.bin", Buffer.alloc(MAX_OBJECT_BYTES + 1, 0x41));
    const result = await scan("big.bin");
    assert.equal(result.outcome, "tagged");
    assert.equal(result.outcome === "tagged" && result.bytes, 0);
    const tags = await tagsOf(bucket, "big.bin");
    assert.equal(tags.Infected, "true");
    assert.equal(tags.ScanResult, "limits-exceeded:Bucketwarden.Limits.Exceeded.MaxObjectBytes");
  });

  it("tags an archive whose content exceeds the engine's limits infected, never clean", async () => {
    await upload(bucket, "bomb.zip", zipOf("inner.bin", Buffer.alloc(MAX_OBJECT_BYTES * 4, 0x42)));
    await scan("bomb.zip");
    const tags = await tagsOf(bucket, "bomb.zip");
    assert.equal(tags.Infected, "true");
    assert.match(tags.ScanResult, /^limits-exceeded:Heuristics\.Limits\.Exceeded/);
  });

  it("tags an encrypted archive infected as unscannable", async () => {
    await upload(bucket, "secret.zip", zipOf("secret.txt", Buffer.from("hidden"), { encrypted: true }));
    await scan("secret.zip");
    const tags = await tagsOf(bucket, "secret.zip");
    assert.equal(tags.Infected, "true");
    assert.match(tags.ScanResult, /^unscannable:Heuristics\.Encrypted/);
  });

  it("finds EICAR inside an ordinary zip", async () => {
    await upload(bucket, "eicar.zip", zipOf("eicar.com", EICAR));
    await scan("eicar.zip");
    assert.equal((await tagsOf(bucket, "eicar.zip")).Infected, "true");
  });

  it("skips an object deleted before its scan, without failing the event", async () => {
    await upload(bucket, "gone.txt", "soon gone");
    await (await clientAs("uploader")).send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone.txt" }));
    const result = await scan("gone.txt");
    assert.deepEqual([result.outcome, result.outcome === "skipped" && result.reason], ["skipped", "deleted"]);
  });

  it("makes room for an infected verdict on an object that has ten tags of its own", async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, `v${i}`]));
    await upload(bucket, "ten-infected.txt", EICAR, ten);
    await scan("ten-infected.txt");
    const tags = await tagsOf(bucket, "ten-infected.txt");
    assert.equal(tags.Infected, "true");
    assert.equal(Object.keys(tags).length, 10);
  });

  it("fails permanently, leaving it unreadable, an object whose ten tags leave no room for a clean verdict", async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, `v${i}`]));
    await upload(bucket, "ten-clean.txt", "clean", ten);
    // No retry can make room: the invocation succeeds (a direct one is not retried by Lambda either).
    const result = await scan("ten-clean.txt");
    assert.deepEqual([result.outcome, result.outcome === "failed" && result.permanent], ["failed", true]);
    assert.ok(result.outcome === "failed" && result.error instanceof TagLimitError);
    assert.equal((await tagsOf(bucket, "ten-clean.txt")).Infected, undefined);
  });
});
