import assert from "node:assert/strict";
import { parseScannerEvent } from "../../core/events";
import type { QueueItem } from "../../local/queue";
import { type ReceivedRecord, type Receiver, splitNotification, startReceiver } from "../../local/receiver";
import { encodeS3Key, s3RecordFor, sqsEvent } from "../../local/sqs-event";

/** A record as the store (Ceph RGW 16.2) pushes it: the key as is, not URL-encoded. */
function cephRecord(key: string, eventName = "ObjectCreated:Put") {
  return {
    eventVersion: "2.2",
    eventSource: "ceph:s3",
    awsRegion: "",
    eventName,
    s3: {
      bucket: { name: "uploads" },
      object: { key, size: 3, eTag: "abc", versionId: "v1" },
    },
  };
}

describe("the notification receiver", () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  async function start(accept: (r: ReceivedRecord[]) => void, rejected: string[] = []) {
    receiver = await startReceiver({
      accept,
      reject: (_, reason) => rejected.push(reason),
      status: () => ({ ok: true }),
      reconcile: async () => 7,
    });
    return receiver;
  }

  const push = (r: Receiver, body: unknown) =>
    fetch(r.url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });

  it("acknowledges a push once its records are accepted, keeping Ceph's keys verbatim", async () => {
    const got: ReceivedRecord[] = [];
    const r = await start((records) => got.push(...records));
    const res = await push(r, { Records: [cephRecord("a b+c%d é.txt")] });
    assert.equal(res.status, 200);
    assert.equal(got.length, 1);
    assert.equal(got[0].object.key, "a b+c%d é.txt");
    assert.equal(got[0].object.versionId, "v1");
  });

  it("answers 500 when the records cannot be made durable, so the store pushes again", async () => {
    const r = await start(() => {
      throw new Error("disk full");
    });
    assert.equal((await push(r, { Records: [cephRecord("k")] })).status, 500);
  });

  it("reports records that name no object instead of leaving the store to retry them forever", async () => {
    const rejected: string[] = [];
    const got: ReceivedRecord[] = [];
    const r = await start((records) => got.push(...records), rejected);
    assert.equal((await push(r, "not json")).status, 200);
    assert.equal(
      (await push(r, { Records: [{ eventName: "ObjectCreated:Put", s3: {} }, cephRecord("fine")] })).status,
      200,
    );
    assert.deepEqual(rejected, ["body is not JSON", "record 0 has no bucket name"]);
    assert.deepEqual(
      got.map((g) => g.object.key),
      ["fine"],
    );
  });

  it("serves the runner's status and a reconcile on request", async () => {
    const r = await start(() => {});
    assert.deepEqual(await (await fetch(`${r.url}/status`)).json(), { ok: true });
    assert.deepEqual(await (await fetch(`${r.url}/reconcile`, { method: "POST" })).json(), { queued: 7 });
    assert.equal((await fetch(`${r.url}/elsewhere`)).status, 404);
  });

  it("ignores events other than object creation", () => {
    const { accepted, rejected } = splitNotification(
      JSON.stringify({ Records: [cephRecord("gone", "ObjectRemoved:Delete")] }),
    );
    assert.equal(accepted.length, 0);
    assert.equal(rejected.length, 0);
  });
});

describe("the scanner's SQS event", () => {
  const keys = ["plain.txt", "a b+c%d.txt", "deep/er/path/é ü 漢字.bin", "100% (final)!.pdf", "x*y~z'.txt"];

  for (const key of keys) {
    it(`encodes "${key}" so that the scanner's parser reads it back unchanged`, () => {
      const object = { bucket: "uploads", key, versionId: "v9", eTag: "e", size: 1 };
      const item: QueueItem = {
        id: "m-1",
        record: s3RecordFor(object, "us-east-1", new Date(0)),
        object,
        source: "reconcile",
        enqueuedAt: 0,
        attempts: 0,
        notBefore: 0,
      };
      const [work] = parseScannerEvent(sqsEvent([item], "us-east-1", 0));
      assert.equal(work.messageId, "m-1");
      assert.deepEqual(work.objects[0], { ...object, eventName: "ObjectCreated:Put" });
    });
  }

  it("encodes keys as S3 does: spaces as +, slashes kept, the rest percent-encoded", () => {
    assert.equal(encodeS3Key("a b+c/d%e"), "a+b%2Bc/d%25e");
  });

  it("passes the store's own records through unchanged, one per message", () => {
    const record = cephRecord("a b+c.txt");
    const item: QueueItem = {
      id: "m-2",
      record,
      object: { bucket: "uploads", key: "a b+c.txt" },
      source: "notification",
      enqueuedAt: 5,
      attempts: 2,
      notBefore: 0,
    };
    const event = sqsEvent([item], "us-east-1", 9);
    assert.deepEqual(JSON.parse(event.Records[0].body), { Records: [record] });
    assert.equal(event.Records[0].attributes.ApproximateReceiveCount, "3");
    assert.equal(parseScannerEvent(event)[0].objects[0].key, "a b+c.txt");
  });
});
