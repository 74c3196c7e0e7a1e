import assert from "node:assert/strict";
import {
  type NotificationEntry,
  SCAN_EVENTS,
  SCANNER_EVENTS,
  scanEventConflicts,
} from "../../core/notifications";

describe("core/notifications: scanEventConflicts", () => {
  const table: Array<[string, NotificationEntry[], number]> = [
    [
      "accepts entries for other events",
      [{ events: ["s3:ObjectRemoved:*"] }, { events: ["s3:ObjectRestore:Completed"] }],
      0,
    ],
    ["rejects another entry for every created object", [{ events: ["s3:ObjectCreated:*"] }], 1],
    [
      "rejects an entry for one kind of creation, which overlaps too",
      [{ events: ["s3:ObjectCreated:Put"], filterSuffix: ".jpg" }],
      1,
    ],
    [
      "reports each clashing entry",
      [
        { events: ["s3:ObjectCreated:Copy"] },
        { events: ["s3:ObjectRemoved:*"] },
        { events: ["s3:ObjectCreated:Post"] },
      ],
      2,
    ],
    [
      "rejects an entry for tag writes, which the scanner takes for rescans",
      [{ events: ["s3:ObjectTagging:Put"] }],
      1,
    ],
    ["accepts no entries", [], 0],
  ];
  for (const [title, entries, count] of table)
    it(title, () => assert.equal(scanEventConflicts("queues", entries).length, count));

  it("names the clashing entry by its place", () => {
    assert.deepEqual(
      scanEventConflicts("topics", [{ events: ["s3:ObjectRemoved:*"] }, { events: ["s3:ObjectCreated:*"] }]),
      ["topics[1] also asks for s3:ObjectCreated:*"],
    );
  });

  it("scans every way an object can come to exist", () => {
    assert.deepEqual([...SCAN_EVENTS], ["s3:ObjectCreated:*"]);
    assert.deepEqual([...SCANNER_EVENTS], ["s3:ObjectCreated:*", "s3:ObjectTagging:*"]);
  });
});
