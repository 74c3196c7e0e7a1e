import assert from "node:assert/strict";
import { EventParseError } from "../../core/errors";
import {
  CEPH_EVENT_SOURCE,
  decodeS3Key,
  type ObjectRef,
  parseS3Records,
  parseScannerEvent,
  unquoteETag,
} from "../../core/events";

function s3Record(key: string, extra: Record<string, unknown> = {}, object: Record<string, unknown> = {}) {
  return {
    eventSource: "aws:s3",
    eventName: "ObjectCreated:Put",
    s3: { bucket: { name: "uploads" }, object: { key, size: 12, eTag: "abc", versionId: "v1", ...object } },
    ...extra,
  };
}

function sqsRecord(messageId: string, body: unknown) {
  return { eventSource: "aws:sqs", messageId, body: typeof body === "string" ? body : JSON.stringify(body) };
}

describe("core/events: keys and ETags", () => {
  const keys: Array<[string, string, string]> = [
    ["decodes spaces S3 wrote as +", "my+photo.jpg", "my photo.jpg"],
    ["decodes a percent-encoded plus", "a%2Bb.txt", "a+b.txt"],
    ["decodes percent-encoded UTF-8", "caf%C3%A9.png", "café.png"],
    ["keeps slashes of nested keys", "2024/06/x.bin", "2024/06/x.bin"],
  ];
  for (const [title, encoded, decoded] of keys) it(title, () => assert.equal(decodeS3Key(encoded), decoded));

  it("rejects a key that is not valid percent-encoding", () => {
    assert.throws(() => decodeS3Key("100%.txt"), EventParseError);
  });

  const eTags: Array<[string, string, string]> = [
    ["strips the quotes S3 puts around ETags", '"abc"', "abc"],
    ["leaves an unquoted ETag alone", "abc", "abc"],
    ["keeps the part count of a multipart ETag", '"abc-3"', "abc-3"],
  ];
  for (const [title, raw, clean] of eTags) it(title, () => assert.equal(unquoteETag(raw), clean));
});

describe("core/events: parseS3Records", () => {
  const table: Array<[string, unknown[], Partial<ObjectRef>[]]> = [
    [
      "reads bucket, key, version, size and ETag of a created object",
      [s3Record("a+b.txt", {}, { eTag: '"e1"' })],
      [
        {
          bucket: "uploads",
          key: "a b.txt",
          versionId: "v1",
          size: 12,
          eTag: "e1",
          eventName: "ObjectCreated:Put",
        },
      ],
    ],
    [
      "ignores records that are not about created or tagged objects",
      [s3Record("x", { eventName: "ObjectRemoved:Delete" })],
      [],
    ],
    [
      "takes a tag write, which asks for a rescan",
      [s3Record("x", { eventName: "ObjectTagging:Put" })],
      [{ key: "x", eventName: "ObjectTagging:Put" }],
    ],
    [
      "takes a tag delete, which asks for a rescan",
      [s3Record("x", { eventName: "s3:ObjectTagging:Delete" })],
      [{ key: "x", eventName: "ObjectTagging:Delete" }],
    ],
    [
      "ignores a restore, which changes nothing a verdict is about",
      [s3Record("x", { eventName: "ObjectRestore:Completed" })],
      [],
    ],
    [
      "accepts event names with the s3: prefix",
      [s3Record("x", { eventName: "s3:ObjectCreated:Copy" })],
      [{ key: "x", eventName: "ObjectCreated:Copy" }],
    ],
    [
      "takes Ceph's keys verbatim: it does not encode them",
      [s3Record("a b+c%d.txt", { eventSource: CEPH_EVENT_SOURCE })],
      [{ key: "a b+c%d.txt" }],
    ],
    ["reads a size given as a string of digits", [s3Record("x", {}, { size: "42" })], [{ size: 42 }]],
    ["drops a size that is not a number", [s3Record("x", {}, { size: "big" })], [{ size: undefined }]],
    [
      "reads Ceph's lower-case etag and version fields",
      [s3Record("x", {}, { eTag: undefined, etag: "e2", versionId: undefined, version: "v2" })],
      [{ eTag: "e2", versionId: "v2" }],
    ],
    [
      "treats an empty version id as none",
      [s3Record("x", {}, { versionId: "" })],
      [{ versionId: undefined }],
    ],
  ];
  for (const [title, records, expected] of table) {
    it(title, () => {
      const refs = parseS3Records(records);
      assert.equal(refs.length, expected.length);
      expected.forEach((e, i) => {
        for (const [k, v] of Object.entries(e)) assert.deepEqual(refs[i][k as keyof ObjectRef], v, k);
      });
    });
  }

  const bad: Array<[string, unknown]> = [
    ["rejects records that are not an array", { Records: [] }],
    ["rejects a record without an s3 section", [{ eventName: "ObjectCreated:Put" }]],
    [
      "rejects a record without a bucket name",
      [{ eventName: "ObjectCreated:Put", s3: { object: { key: "x" } } }],
    ],
    [
      "rejects a record without an object key",
      [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" }, object: {} } }],
    ],
  ];
  for (const [title, records] of bad)
    it(title, () => assert.throws(() => parseS3Records(records), EventParseError));
});

describe("core/events: parseScannerEvent", () => {
  it("gives one work item for a direct S3 invocation", () => {
    const items = parseScannerEvent({ Records: [s3Record("a"), s3Record("b")] });
    assert.equal(items.length, 1);
    assert.equal(items[0].messageId, undefined);
    assert.deepEqual(
      items[0].objects.map((o) => o.key),
      ["a", "b"],
    );
  });

  it("gives one work item per SQS message, with its message id", () => {
    const items = parseScannerEvent({
      Records: [sqsRecord("m1", { Records: [s3Record("a")] }), sqsRecord("m2", { Records: [s3Record("b")] })],
    });
    assert.deepEqual(
      items.map((i) => [i.messageId, i.objects[0].key]),
      [
        ["m1", "a"],
        ["m2", "b"],
      ],
    );
  });

  it("fails a bad message alone, so the rest of the batch still runs", () => {
    const items = parseScannerEvent({
      Records: [sqsRecord("bad", "not json"), sqsRecord("good", { Records: [s3Record("a")] })],
    });
    assert.ok(items[0].error instanceof EventParseError);
    assert.deepEqual(items[0].objects, []);
    assert.equal(items[1].error, undefined);
    assert.equal(items[1].objects[0].key, "a");
  });

  const empty: Array<[string, unknown]> = [
    ["ignores S3's test event sent directly", { Event: "s3:TestEvent" }],
  ];
  for (const [title, event] of empty) it(title, () => assert.deepEqual(parseScannerEvent(event), []));

  it("ignores S3's test event inside an SQS message", () => {
    const items = parseScannerEvent({
      Records: [sqsRecord("t", { Event: "s3:TestEvent", Service: "Amazon S3" })],
    });
    assert.deepEqual(items, [{ messageId: "t", objects: [] }]);
  });

  it("unwraps an S3 event that came through SNS without raw delivery", () => {
    const message = JSON.stringify({ Records: [s3Record("via-sns")] });
    const items = parseScannerEvent({
      Records: [sqsRecord("n", { Type: "Notification", Message: message })],
    });
    assert.equal(items[0].objects[0].key, "via-sns");
  });

  const bad: Array<[string, unknown]> = [
    ["rejects an event that is not an object", "event"],
    ["rejects an event without Records", { detail: {} }],
  ];
  for (const [title, event] of bad)
    it(title, () => assert.throws(() => parseScannerEvent(event), EventParseError));

  it("reports an SQS message without a body as that message's error", () => {
    const [item] = parseScannerEvent({ Records: [{ eventSource: "aws:sqs", messageId: "m" }] });
    assert.ok(item.error instanceof EventParseError);
  });
});
