import assert from "node:assert/strict";
import { TagLimitError } from "../../core/errors";
import { ScanStatus } from "../../core/verdict";
import {
  chunks,
  defaultEventBusArn,
  EVENT_SOURCE,
  EventDetailType,
  type FailedScan,
  putEventsEntry,
  type TaggedScan,
  type VerdictEvent,
  verdictEvent,
} from "../../core/verdict-event";

const AT = new Date("2026-11-26T16:00:00.000Z");
const OBJECT = { bucket: "uploads", key: "in/a b.txt", versionId: "v1" };

function tagged(extra: Partial<TaggedScan>): TaggedScan {
  return {
    outcome: "tagged",
    object: OBJECT,
    versionId: "v1",
    eTag: "e1",
    status: ScanStatus.Clean,
    definitionsVersion: "d7",
    bytes: 42,
    ...extra,
  };
}

describe("core/verdict-event: the event of each verdict", () => {
  const cases: Array<[string, TaggedScan, Record<string, unknown>]> = [
    [
      "describes a clean object as not blocked and with no signature",
      tagged({}),
      { verdict: "clean", blocked: false, signature: undefined },
    ],
    [
      "describes an infected object with its signature, blocked",
      tagged({ status: ScanStatus.Infected, signature: "Eicar-Signature" }),
      { verdict: "infected", blocked: true, signature: "Eicar-Signature" },
    ],
    [
      "describes limits exceeded as blocked with the heuristic that fired",
      tagged({ status: ScanStatus.LimitsExceeded, signature: "Heuristics.Limits.Exceeded.MaxFileSize" }),
      { verdict: "limits-exceeded", blocked: true, signature: "Heuristics.Limits.Exceeded.MaxFileSize" },
    ],
    [
      "describes an unscannable object as blocked",
      tagged({ status: ScanStatus.Unscannable, signature: "Heuristics.Encrypted.Zip" }),
      { verdict: "unscannable", blocked: true, signature: "Heuristics.Encrypted.Zip" },
    ],
  ];
  for (const [name, result, expected] of cases) {
    it(name, () => {
      const event = verdictEvent(result, AT);
      assert.ok(event);
      assert.equal(event.source, EVENT_SOURCE);
      assert.equal(event.detailType, EventDetailType.Scanned);
      assert.deepEqual(pick(event, expected), expected);
      assert.equal(detailOf(event).bucket, "uploads");
      assert.equal(detailOf(event).key, "in/a b.txt");
      assert.equal(detailOf(event).versionId, "v1");
      assert.equal(detailOf(event).eTag, "e1");
      assert.equal(detailOf(event).size, 42);
      assert.equal(detailOf(event).definitionsVersion, "d7");
      assert.equal(detailOf(event).scannedAt, "2026-11-26T16:00:00.000Z");
    });
  }

  it("leaves versionId out for an unversioned object", () => {
    const event = verdictEvent(tagged({ versionId: undefined, object: { bucket: "b", key: "k" } }), AT);
    assert.ok(event);
    assert.equal("versionId" in event.detail, false);
  });

  it("sends no event for a skipped object", () => {
    assert.equal(verdictEvent({ outcome: "skipped" }, AT), undefined);
  });

  const failures: Array<[string, FailedScan, Record<string, unknown>]> = [
    [
      "describes a permanent failure with the error's name",
      { outcome: "failed", object: OBJECT, error: new TagLimitError("11 tags", 10), permanent: true },
      { error: "TagLimitError", message: "11 tags", permanent: true, versionId: "v1" },
    ],
    [
      "describes a transient failure as one a retry follows",
      {
        outcome: "failed",
        object: { bucket: "uploads", key: "k" },
        error: new Error("slow"),
        permanent: false,
      },
      { error: "Error", message: "slow", permanent: false, versionId: undefined },
    ],
  ];
  for (const [name, result, expected] of failures) {
    it(name, () => {
      const event = verdictEvent(result, AT);
      assert.ok(event);
      assert.equal(event.detailType, EventDetailType.ScanFailed);
      assert.deepEqual(pick(event, expected), expected);
      assert.equal(detailOf(event).failedAt, "2026-11-26T16:00:00.000Z");
    });
  }
});

describe("core/verdict-event: PutEvents entries", () => {
  const event = verdictEvent(tagged({ status: ScanStatus.Infected, signature: "Eicar-Signature" }), AT);
  const cases: Array<[string, string | undefined, string, Record<string, unknown>]> = [
    ["goes to the default bus when none is named", undefined, "aws", {}],
    ["goes to the bus named", "security", "aws", { EventBusName: "security" }],
    ["names the bucket's ARN in the partition given", undefined, "aws-cn", {}],
  ];
  for (const [name, bus, partition, extra] of cases) {
    it(name, () => {
      assert.ok(event);
      const entry = putEventsEntry(event, bus, partition);
      assert.deepEqual(entry, {
        Source: "bucketwarden",
        DetailType: "Object Scanned",
        Detail: JSON.stringify(event.detail),
        Resources: [`arn:${partition}:s3:::uploads`],
        Time: AT,
        ...extra,
      });
      assert.equal(JSON.parse(entry.Detail).signature, "Eicar-Signature");
    });
  }

  const sizes: Array<[number, number[]]> = [
    [0, []],
    [1, [1]],
    [10, [10]],
    [11, [10, 1]],
    [25, [10, 10, 5]],
  ];
  for (const [n, expected] of sizes) {
    it(`splits ${n} entries into PutEvents calls of at most 10: [${expected.join(", ")}]`, () => {
      const items = Array.from({ length: n }, (_, i) => i);
      const groups = chunks(items);
      assert.deepEqual(
        groups.map((g) => g.length),
        expected,
      );
      assert.deepEqual(groups.flat(), items);
    });
  }
});

function detailOf(event: VerdictEvent): Record<string, unknown> {
  return event.detail as unknown as Record<string, unknown>;
}

function pick(event: VerdictEvent, shape: Record<string, unknown>): Record<string, unknown> {
  const detail = event.detail as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.keys(shape).map((k) => [k, detail[k]]));
}

describe("core/verdict-event: defaultEventBusArn", () => {
  const table: Array<[string, string, string]> = [
    ["aws", "eu-west-1", "arn:aws:events:eu-west-1:123456789012:event-bus/default"],
    ["aws-cn", "cn-north-1", "arn:aws-cn:events:cn-north-1:123456789012:event-bus/default"],
  ];
  for (const [partition, region, expected] of table)
    it(`names the default bus of ${region} in ${partition}`, () =>
      assert.equal(defaultEventBusArn(partition, region, "123456789012"), expected));
});
