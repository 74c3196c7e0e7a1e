import assert from "node:assert/strict";
import { parseBatchOperationsEvent } from "../../core/batch-operations";
import {
  batchEvent,
  entryIdentity,
  manifestLine,
  parseManifestLine,
  parseReportLine,
  reportLine,
  summarize,
  verdictOfResult,
} from "../../local/backlog-report";

describe("local/backlog-report: the batch runner's manifest, events and report", () => {
  const keys = ["plain.txt", "dir/with space+plus.txt", "comma,key.bin", "ünïcode/%41.txt"];
  for (const key of keys) {
    it(`keeps the key "${key}" through a manifest line`, () => {
      const e = { bucket: "photos", key, versionId: "v1" };
      assert.deepEqual(parseManifestLine(manifestLine(e)), e);
    });
    it(`sends the key "${key}" so the scanner's Batch Operations parser reads it back`, () => {
      const event = batchEvent("job", "inv", "rescan", [
        { bucket: "photos", key, versionId: "v1", taskId: "t1" },
      ]);
      const parsed = parseBatchOperationsEvent(event);
      assert.equal(parsed.schemaVersion, "2.0");
      assert.deepEqual(parsed.userArguments, { mode: "rescan" });
      assert.deepEqual(parsed.tasks[0].object, { bucket: "photos", key, versionId: "v1" });
    });
  }

  it("names an unversioned object's version as null, as Batch Operations does", () => {
    const event = batchEvent("job", "inv", "scan-existing", [{ bucket: "b-1", key: "k", taskId: "t" }]);
    assert.equal((event.tasks as Array<{ s3VersionId: unknown }>)[0].s3VersionId, null);
  });

  it("reads back a report line whose result holds commas and quotes", () => {
    const entry = { bucket: "photos", key: "a,b", versionId: "v2" };
    const line = reportLine(entry, { resultCode: "PermanentFailure", resultString: 'failed:Error: "x", y' });
    assert.deepEqual(parseReportLine(line), {
      entry,
      resultCode: "PermanentFailure",
      resultString: 'failed:Error: "x", y',
    });
  });

  it("tells versions of one key apart", () => {
    assert.notEqual(
      entryIdentity({ bucket: "b", key: "k", versionId: "1" }),
      entryIdentity({ bucket: "b", key: "k", versionId: "2" }),
    );
  });

  const verdicts: Array<[string, string | undefined]> = [
    ["clean", "clean"],
    ["infected:Bucketwarden.TEST.EICAR", "infected"],
    ["unscannable:Heuristics.Encrypted.Zip", "unscannable"],
    ["limits-exceeded:Heuristics.Limits.Exceeded", "unscannable"],
    ["skipped:already-scanned", undefined],
    ["skipped:already-scanned:infected", undefined],
    ["failed:Error: boom", undefined],
  ];
  for (const [result, verdict] of verdicts)
    it(`reads "${result}" as ${verdict ?? "no new verdict"}`, () =>
      assert.equal(verdictOfResult(result), verdict));

  it("sums a report into the summary", () => {
    const s = summarize(
      [
        { resultCode: "Succeeded", resultString: "clean" },
        { resultCode: "Succeeded", resultString: "infected:X" },
        { resultCode: "Succeeded", resultString: "skipped:already-scanned" },
        { resultCode: "Succeeded", resultString: "skipped:already-scanned:clean" },
        { resultCode: "PermanentFailure", resultString: "skipped:deleted" },
        { resultCode: "TemporaryFailure", resultString: "failed:throttled" },
      ],
      "r.csv",
    );
    // A verdict kept from the current definitions counts by its status, like a new one.
    assert.deepEqual(s, {
      scanned: 4,
      clean: 2,
      infected: 1,
      unscannable: 0,
      failed: 2,
      alreadyScanned: 2,
      report: "r.csv",
    });
  });
});
