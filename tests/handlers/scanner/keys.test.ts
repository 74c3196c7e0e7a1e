import assert from "node:assert/strict";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { tagsOf, upload } from "../support/buckets";
import { StoreNotifications, s3Event } from "../support/events";
import { scannedUploadBucket } from "../support/handlers";
import { EICAR } from "../support/signatures";

const KEYS = [
  "with space.txt",
  "plus+sign.txt",
  "percent%41and%.txt",
  "ünïcödé/日本語 ✓.txt",
  "deep/a/b/c/d/e/f/g/h/i/j/object.bin",
  "mixed/a b+c%20d&e=f?g#h.txt",
];

describe("object keys as events name them", () => {
  let scanner: Scanner;
  let bucket: string;

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket());
  });
  after(() => scanner?.close());

  it("decodes keys encoded as AWS S3 encodes them in event notifications", async () => {
    for (const key of KEYS) await upload(bucket, `aws/${key}`, EICAR);
    const report = (await scanner.handle(s3Event(...KEYS.map((key) => ({ bucket, key: `aws/${key}` }))))) as {
      results: ObjectResult[];
    };
    assert.deepEqual(
      report.results.map((r) => r.outcome),
      KEYS.map(() => "tagged"),
    );
    for (const key of KEYS) assert.equal((await tagsOf(bucket, `aws/${key}`)).Infected, "true", key);
  });

  it("scans the objects named by the store's own notifications", async () => {
    const notifications = await new StoreNotifications().listen(bucket);
    try {
      for (const key of KEYS) await upload(bucket, `ceph/${key}`, "clean content");
      const events = notifications.take();
      assert.equal(events.length, KEYS.length);
      for (const event of events) await scanner.handle(event);
      for (const key of KEYS) assert.equal((await tagsOf(bucket, `ceph/${key}`)).Infected, "false", key);
    } finally {
      await notifications.stop();
    }
  });
});
