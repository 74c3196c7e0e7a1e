import assert from "node:assert/strict";
import { PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { tagsOf, upload } from "../support/buckets";
import { type EventObject, s3Event } from "../support/events";
import { scannedUploadBucket } from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

/**
 * On AWS a user may replace an object's tags with tags of its own (the access rule refuses only the
 * verdict keys), which drops the verdict; S3 then sends an `ObjectTagging:Put` event, and the scanner
 * takes it as a request to look again. Its own tag writes send the same event, which it must skip.
 */
describe("scanner: tag-change events", () => {
  let scanner: Scanner;
  let bucket: string;

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket());
  });
  after(() => scanner?.close());

  async function handle(o: Omit<EventObject, "bucket">): Promise<ObjectResult> {
    const report = (await scanner.handle(s3Event({ bucket, ...o }))) as { results: ObjectResult[] };
    return report.results[0];
  }

  /** What a user's PutObjectTagging does on AWS: the whole set replaced. Written here by the one identity the store lets write tags. */
  async function replaceTags(key: string, versionId: string | undefined, tags: Record<string, string>) {
    const s3 = await clientAs("scanner");
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  }

  it("skips the tag-change event its own verdict causes, writing nothing", async () => {
    const put = await upload(bucket, "edits/own.txt", "harmless\n");
    assert.equal((await handle({ key: "edits/own.txt", versionId: put.VersionId })).outcome, "tagged");
    const before = await tagsOf(bucket, "edits/own.txt");
    const again = await handle({
      key: "edits/own.txt",
      versionId: put.VersionId,
      eventName: "ObjectTagging:Put",
    });
    assert.equal(again.outcome, "skipped");
    assert.deepEqual(await tagsOf(bucket, "edits/own.txt"), before);
  });

  it("rescans an object whose tags a user replaced, and keeps the user's new tags beside the verdict", async () => {
    const put = await upload(bucket, "edits/user.txt", "harmless\n", { team: "a" });
    await handle({ key: "edits/user.txt", versionId: put.VersionId });
    await replaceTags("edits/user.txt", put.VersionId, { team: "b", project: "x" });
    const result = await handle({
      key: "edits/user.txt",
      versionId: put.VersionId,
      eventName: "ObjectTagging:Put",
    });
    assert.equal(result.outcome, "tagged");
    const tags = await tagsOf(bucket, "edits/user.txt", put.VersionId);
    assert.equal(tags.Infected, "false");
    assert.deepEqual([tags.team, tags.project], ["b", "x"]);
  });

  it("rescans an infected object whose verdict was deleted, and tags it infected again", async () => {
    const put = await upload(bucket, "edits/eicar.com", EICAR);
    await handle({ key: "edits/eicar.com", versionId: put.VersionId });
    await replaceTags("edits/eicar.com", put.VersionId, {});
    const result = await handle({
      key: "edits/eicar.com",
      versionId: put.VersionId,
      eventName: "ObjectTagging:Delete",
    });
    assert.equal(result.outcome, "tagged");
    assert.equal((await tagsOf(bucket, "edits/eicar.com", put.VersionId)).Infected, "true");
  });
});
