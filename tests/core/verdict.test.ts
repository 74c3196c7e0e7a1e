import assert from "node:assert/strict";
import { EngineError, TagLimitError } from "../../core/errors";
import { stampValue } from "../../core/stamp";
import { DEFAULT_TAG_SCHEMA, MAX_OBJECT_TAGS, type Tag } from "../../core/tags";
import {
  inspectArrivingTags,
  isCleanStatus,
  mergeVerdictTags,
  PriorScan,
  parseClamdReply,
  parseClamscanResult,
  resultTagValue,
  type ScanOutcome,
  ScanStatus,
  statusOfSignature,
  tagSafe,
  verdictSigner,
} from "../../core/verdict";

const T = DEFAULT_TAG_SCHEMA;
const SECRET = Buffer.alloc(32, 7);
const OBJECT = { bucket: "b", key: "k", versionId: "v1", eTag: "e1" };
const sign = verdictSigner(SECRET, OBJECT, "d1");

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
  ];
  for (const [title, run, expected] of table) it(title, () => assert.equal(run(), expected));
});

describe("core/verdict: inspectArrivingTags", () => {
  const verdict = (v: string): Tag => ({ Key: T.key, Value: v });
  const result = (v: string): Tag => ({ Key: T.resultKey, Value: v });
  const stamp = (v: string): Tag => ({ Key: T.stampKey, Value: v });
  const ours = (defs: string, object = OBJECT, v = T.cleanValue, r = "clean") => [
    verdict(v),
    result(r),
    stamp(stampValue(SECRET, { ...object, definitionsVersion: defs, verdict: v, result: r })),
  ];
  const user = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `u${i}`, Value: "x" }));
  const table: Array<[string, Tag[], PriorScan]> = [
    ["sees a first scan in an object without verdict tags", user(2), PriorScan.None],
    ["skips the scanner's own verdict with the current definitions", ours("d1"), PriorScan.Current],
    ["rescans the scanner's own verdict made with older definitions", ours("d0"), PriorScan.Older],
    [
      "accepts its own infected verdict as current",
      ours("d1", OBJECT, T.infectedValue, "infected:Eicar"),
      PriorScan.Current,
    ],
    [
      "calls a stamp computed from the definitions version and the ETag a forgery",
      [verdict(T.cleanValue), result("clean"), stamp("d1/e1")],
      PriorScan.Forged,
    ],
    [
      "calls a stamp copied from another object a forgery",
      ours("d1", { ...OBJECT, key: "other" }),
      PriorScan.Forged,
    ],
    [
      "calls a stamp copied from another version a forgery",
      ours("d1", { ...OBJECT, versionId: "v0" }),
      PriorScan.Forged,
    ],
    ["calls a stamp of other content a forgery", ours("d1", { ...OBJECT, eTag: "e0" }), PriorScan.Forged],
    [
      "calls a stamped infected verdict turned clean a forgery",
      [verdict(T.cleanValue), ...ours("d1", OBJECT, T.infectedValue, "infected:Eicar").slice(1)],
      PriorScan.Forged,
    ],
    [
      "calls a stamp under another key a forgery",
      [
        verdict(T.cleanValue),
        result("clean"),
        stamp(
          stampValue(Buffer.alloc(32, 8), {
            ...OBJECT,
            definitionsVersion: "d1",
            verdict: "false",
            result: "clean",
          }),
        ),
      ],
      PriorScan.Forged,
    ],
    ["calls a bare clean verdict a forgery", [verdict(T.cleanValue)], PriorScan.Forged],
    ["calls a lone stamp tag a forgery", [stamp("d1/xyz")], PriorScan.Forged],
    [
      "rescans without an alarm a bare verdict whose own tags left the stamp no room",
      [...user(8), verdict(T.cleanValue), result("clean")],
      PriorScan.Unstamped,
    ],
    [
      "still calls a bare verdict a forgery when the stamp had room",
      [...user(7), verdict(T.cleanValue), result("clean")],
      PriorScan.Forged,
    ],
  ];
  for (const [title, tags, prior] of table)
    it(title, () => assert.equal(inspectArrivingTags(tags, T, SECRET, OBJECT, "d1").prior, prior));

  it("reports user tags whose keys equal a scanner key in another letter case", () => {
    const tags = [{ Key: "infected", Value: "false" }, { Key: "SCANSTAMP", Value: "x" }, ...user(1)];
    const seen = inspectArrivingTags(tags, T, SECRET, OBJECT, "d1");
    assert.equal(seen.prior, PriorScan.None);
    assert.deepEqual(
      seen.reserved.map((t) => t.Key),
      ["infected", "SCANSTAMP"],
    );
  });
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
      const merged = mergeVerdictTags(existing, outcome, T, sign);
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
    const merged = mergeVerdictTags(old, clean, T, sign);
    assert.equal(merged.tags.filter((t) => t.Key === T.key).length, 1);
    assert.equal(merged.tags.find((t) => t.Key === T.key)?.Value, T.cleanValue);
  });

  it("stamps the verdict so that the stamp verifies for this object and definitions", () => {
    const merged = mergeVerdictTags(user(1), infected, T, sign);
    assert.equal(inspectArrivingTags(merged.tags, T, SECRET, OBJECT, "d1").prior, PriorScan.Current);
  });

  it("drops user tags whose keys equal a scanner key in another letter case", () => {
    const existing = [{ Key: "infected", Value: "false" }, { Key: "Scanresult", Value: "clean" }, ...user(1)];
    const merged = mergeVerdictTags(existing, infected, T, sign);
    assert.deepEqual(
      merged.tags.map((t) => t.Key),
      ["u0", T.key, T.resultKey, T.stampKey],
    );
    assert.deepEqual(
      merged.droppedReservedTags.map((t) => t.Key),
      ["infected", "Scanresult"],
    );
  });

  it("refuses a clean verdict that does not fit rather than dropping the user's tags", () => {
    assert.throws(
      () => mergeVerdictTags(user(10), clean, T, sign),
      (e: unknown) => e instanceof TagLimitError && e.userTagCount === 10,
    );
  });
});
