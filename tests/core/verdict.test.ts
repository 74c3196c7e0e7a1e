import assert from "node:assert/strict";
import { EngineError, TagLimitError } from "../../core/errors";
import { DEFAULT_TAG_SCHEMA, MAX_OBJECT_TAGS, type Tag } from "../../core/tags";
import {
  alreadyScanned,
  isCleanStatus,
  mergeVerdictTags,
  parseClamdReply,
  parseClamscanResult,
  resultTagValue,
  type ScanOutcome,
  ScanStatus,
  stampTagValue,
  statusOfSignature,
  tagSafe,
} from "../../core/verdict";

const T = DEFAULT_TAG_SCHEMA;

describe("core/verdict: parsing the engine's answer", () => {
  const clamd: Array<[string, string, ScanOutcome]> = [
    ["reads a clean stream", "stream: OK\0", { status: ScanStatus.Clean }],
    [
      "reads a detection with its signature",
      "stream: Eicar-Signature FOUND\0",
      { status: ScanStatus.Infected, signature: "Eicar-Signature" },
    ],
    ["reads a file scan's clean answer", "/tmp/x: OK", { status: ScanStatus.Clean }],
    [
      "maps a size-limit heuristic to limits exceeded",
      "stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND",
      { status: ScanStatus.LimitsExceeded, signature: "Heuristics.Limits.Exceeded.MaxFileSize" },
    ],
    [
      "maps an encrypted archive to unscannable",
      "stream: Heuristics.Encrypted.Zip FOUND",
      { status: ScanStatus.Unscannable, signature: "Heuristics.Encrypted.Zip" },
    ],
    [
      "maps clamd's stream size limit to limits exceeded",
      "INSTREAM size limit exceeded. ERROR",
      { status: ScanStatus.LimitsExceeded, signature: "INSTREAM.SizeLimitExceeded" },
    ],
  ];
  for (const [title, reply, outcome] of clamd)
    it(`${title} from clamd`, () => assert.deepEqual(parseClamdReply(reply), outcome));

  const notVerdicts = ["", "stream: lstat() failed: No such file. ERROR", "PONG"];
  for (const reply of notVerdicts)
    it(`treats clamd's "${reply}" as an error, never as clean`, () =>
      assert.throws(() => parseClamdReply(reply), EngineError));

  it("treats a detection without a signature name as an engine error, not a verdict", () => {
    assert.throws(() => parseClamdReply("stream: FOUND"), EngineError);
  });

  const clamscan: Array<[string, number | null, string, ScanOutcome | "error"]> = [
    ["reads exit 0 as clean", 0, "/tmp/x: OK\n", { status: ScanStatus.Clean }],
    [
      "reads exit 1 with its signature",
      1,
      "/tmp/x: Win.Test.EICAR_HDB-1 FOUND\n",
      { status: ScanStatus.Infected, signature: "Win.Test.EICAR_HDB-1" },
    ],
    ["treats exit 1 without a signature as an error", 1, "", "error"],
    ["treats exit 2 as an error", 2, "ERROR: Can't open file", "error"],
    ["treats a killed clamscan as an error", null, "", "error"],
  ];
  for (const [title, code, out, expected] of clamscan) {
    it(`${title} from clamscan`, () => {
      if (expected === "error") assert.throws(() => parseClamscanResult(code, out), EngineError);
      else assert.deepEqual(parseClamscanResult(code, out), expected);
    });
  }
});

describe("core/verdict: statuses and tag values", () => {
  const statuses: Array<[ScanStatus, boolean]> = [
    [ScanStatus.Clean, true],
    [ScanStatus.Infected, false],
    [ScanStatus.LimitsExceeded, false],
    [ScanStatus.Unscannable, false],
  ];
  for (const [status, clean] of statuses)
    it(`${clean ? "makes" : "never makes"} a ${status} object readable`, () =>
      assert.equal(isCleanStatus(status), clean));

  const table: Array<[string, () => string, string]> = [
    ["names ordinary signatures infected", () => statusOfSignature("Win.Trojan.Agent"), ScanStatus.Infected],
    [
      "writes the status alone for a clean result",
      () => resultTagValue({ status: ScanStatus.Clean }),
      "clean",
    ],
    [
      "writes status and signature for a detection",
      () => resultTagValue({ status: ScanStatus.Infected, signature: "Eicar" }),
      "infected:Eicar",
    ],
    ["replaces characters S3 refuses in tag values", () => tagSafe("a;b|c"), "a_b_c"],
    ["cuts tag values to S3's 256 characters", () => String(tagSafe("x".repeat(300)).length), "256"],
    [
      "binds the stamp to the definitions and the ETag without quotes",
      () => stampTagValue("d1", '"e1"'),
      "d1/e1",
    ],
  ];
  for (const [title, run, expected] of table) it(title, () => assert.equal(run(), expected));
});

describe("core/verdict: alreadyScanned", () => {
  const stamp = { Key: T.stampKey, Value: stampTagValue("d1", "e1") };
  const table: Array<[string, Tag[], string, string, boolean]> = [
    [
      "skips content already scanned with the same definitions",
      [{ Key: T.key, Value: T.cleanValue }, stamp],
      "d1",
      "e1",
      true,
    ],
    ["rescans when the definitions changed", [{ Key: T.key, Value: T.cleanValue }, stamp], "d2", "e1", false],
    ["rescans when the content changed", [{ Key: T.key, Value: T.cleanValue }, stamp], "d1", "e2", false],
    ["rescans when the verdict is missing", [stamp], "d1", "e1", false],
    ["rescans when the verdict value is unknown", [{ Key: T.key, Value: "maybe" }, stamp], "d1", "e1", false],
  ];
  for (const [title, tags, defs, eTag, skip] of table)
    it(title, () => assert.equal(alreadyScanned(tags, T, defs, eTag), skip));
});

describe("core/verdict: mergeVerdictTags", () => {
  const user = (n: number): Tag[] =>
    Array.from({ length: n }, (_, i) => ({ Key: `u${i}`, Value: String(i) }));
  const clean: ScanOutcome = { status: ScanStatus.Clean };
  const infected: ScanOutcome = { status: ScanStatus.Infected, signature: "Eicar" };

  const table: Array<
    [string, Tag[], ScanOutcome, { verdict: string; userKept: number; dropped: number; omitted: string[] }]
  > = [
    [
      "keeps the user's tags and adds all three of the scanner's",
      user(2),
      clean,
      { verdict: "false", userKept: 2, dropped: 0, omitted: [] },
    ],
    [
      "drops the stamp first when only two places are left",
      user(8),
      clean,
      { verdict: "false", userKept: 8, dropped: 0, omitted: [T.stampKey] },
    ],
    [
      "keeps only the verdict when one place is left",
      user(9),
      infected,
      { verdict: "true", userKept: 9, dropped: 0, omitted: [T.resultKey, T.stampKey] },
    ],
    [
      "makes room for an infected verdict by dropping the last user tag",
      user(10),
      infected,
      { verdict: "true", userKept: 9, dropped: 1, omitted: [T.resultKey, T.stampKey] },
    ],
  ];
  for (const [title, existing, outcome, expected] of table) {
    it(title, () => {
      const merged = mergeVerdictTags(existing, outcome, T, "d1", "e1");
      assert.ok(merged.tags.length <= MAX_OBJECT_TAGS);
      assert.equal(merged.tags.find((t) => t.Key === T.key)?.Value, expected.verdict);
      assert.equal(merged.tags.filter((t) => t.Key.startsWith("u")).length, expected.userKept);
      assert.equal(merged.droppedUserTags.length, expected.dropped);
      assert.deepEqual(merged.omittedDetailKeys, expected.omitted);
    });
  }

  it("replaces the scanner's old tags instead of adding a second set", () => {
    const old = [
      { Key: T.key, Value: T.infectedValue },
      { Key: T.resultKey, Value: "infected:X" },
      ...user(1),
    ];
    const merged = mergeVerdictTags(old, clean, T, "d2", "e1");
    assert.equal(merged.tags.filter((t) => t.Key === T.key).length, 1);
    assert.equal(merged.tags.find((t) => t.Key === T.key)?.Value, T.cleanValue);
  });

  it("refuses a clean verdict that does not fit rather than dropping the user's tags", () => {
    assert.throws(
      () => mergeVerdictTags(user(10), clean, T, "d1", "e1"),
      (e: unknown) => e instanceof TagLimitError && e.userTagCount === 10,
    );
  });
});
