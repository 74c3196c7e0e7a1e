import assert from "node:assert/strict";
import { MarkAction, markDecision, PENDING_STAMP_VERSION, pendingMarkTags } from "../../core/marker";
import { stampValue } from "../../core/stamp";
import { DEFAULT_TAG_SCHEMA, type Tag } from "../../core/tags";
import { inspectArrivingTags, PriorScan } from "../../core/verdict";

const SECRET = Buffer.alloc(32, 7);
const OBJECT = { bucket: "photos", key: "a.jpg", versionId: "v1", eTag: "abc" };
const S = DEFAULT_TAG_SCHEMA;

const tag = (Key: string, Value: string): Tag => ({ Key, Value });
const stamped = (verdict: string, result: string, object = OBJECT, defs = "daily-1"): Tag[] => [
  tag("Infected", verdict),
  tag("ScanResult", result),
  tag("ScanStamp", stampValue(SECRET, { ...object, definitionsVersion: defs, verdict, result })),
];
const users = (n: number): Tag[] => Array.from({ length: n }, (_, i) => tag(`u${i}`, `${i}`));
const mark = (object = OBJECT) => pendingMarkTags(0, S, SECRET, object);

describe("core/marker: markDecision", () => {
  type Row = [string, Tag[], "readable-until-scanned" | "strict", MarkAction, Tag[] | undefined, boolean];
  const rows: Row[] = [
    ["marks an untagged version pending", [], "readable-until-scanned", MarkAction.Mark, mark(), false],
    [
      "keeps the user's own tags beside the mark",
      [tag("owner", "team-a")],
      "readable-until-scanned",
      MarkAction.Mark,
      [tag("owner", "team-a"), ...mark()],
      false,
    ],
    [
      "leaves a stamp-verified clean verdict alone",
      [tag("owner", "x"), ...stamped("false", "clean")],
      "readable-until-scanned",
      MarkAction.KeepVerdict,
      undefined,
      false,
    ],
    [
      "leaves a stamp-verified infected verdict alone in strict mode too",
      stamped("true", "infected:Eicar"),
      "strict",
      MarkAction.KeepVerdict,
      undefined,
      false,
    ],
    [
      "replaces a forged Infected=false without a stamp by the mark",
      [tag("owner", "x"), tag("Infected", "false")],
      "readable-until-scanned",
      MarkAction.Mark,
      [tag("owner", "x"), ...mark()],
      true,
    ],
    [
      "strips a forged Infected=false without a stamp in strict mode",
      [tag("owner", "x"), tag("Infected", "false")],
      "strict",
      MarkAction.Strip,
      [tag("owner", "x")],
      true,
    ],
    [
      "replaces a verdict whose stamp was copied from another object",
      stamped("false", "clean", { ...OBJECT, key: "other.jpg" }),
      "readable-until-scanned",
      MarkAction.Mark,
      mark(),
      true,
    ],
    [
      "strips reserved keys in another letter case in strict mode",
      [tag("infected", "false"), tag("keep", "1")],
      "strict",
      MarkAction.Strip,
      [tag("keep", "1")],
      false,
    ],
    [
      "writes nothing in strict mode when there is nothing to strip",
      [tag("a", "b")],
      "strict",
      MarkAction.Untouched,
      undefined,
      false,
    ],
    [
      "leaves a version already marked alone, so a second run writes nothing",
      [tag("a", "b"), ...mark()],
      "readable-until-scanned",
      MarkAction.AlreadyMarked,
      undefined,
      false,
    ],
    [
      "removes a mark of an earlier adoption in strict mode",
      [tag("a", "b"), ...mark()],
      "strict",
      MarkAction.Strip,
      [tag("a", "b")],
      false,
    ],
    [
      "replaces a mark copied from another version",
      mark({ ...OBJECT, versionId: "v0" }),
      "readable-until-scanned",
      MarkAction.Mark,
      mark(),
      true,
    ],
    [
      "writes the bare mark when the user's tags leave no room for the stamp",
      users(8),
      "readable-until-scanned",
      MarkAction.Mark,
      [...users(8), tag("Infected", "pending")],
      false,
    ],
    [
      "reports ten user tags as no room",
      users(10),
      "readable-until-scanned",
      MarkAction.NoRoom,
      undefined,
      false,
    ],
  ];
  for (const [title, tags, mode, action, written, forged] of rows)
    it(title, () => {
      const d = markDecision(tags, S, SECRET, OBJECT, mode);
      assert.equal(d.action, action);
      assert.deepEqual(d.tags, written);
      assert.equal(d.forged, forged);
    });

  it("writes a mark the scanner reads as pending, not as a verdict or a forgery", () => {
    const written = markDecision([tag("owner", "x")], S, SECRET, OBJECT, "readable-until-scanned").tags ?? [];
    assert.equal(inspectArrivingTags(written, S, SECRET, OBJECT, "daily-1").prior, PriorScan.Pending);
    assert.equal(
      inspectArrivingTags([...users(9), tag("Infected", "pending")], S, SECRET, OBJECT, "d").prior,
      PriorScan.Pending,
    );
  });

  it("reads a bare mark with room for a stamp as a forgery", () => {
    assert.equal(
      inspectArrivingTags([tag("Infected", "pending")], S, SECRET, OBJECT, "d").prior,
      PriorScan.Forged,
    );
  });

  it("stamps the mark for exactly this version and content", () => {
    const [, , stamp] = mark();
    assert.ok(stamp.Value.startsWith(`${PENDING_STAMP_VERSION}/`));
    assert.notEqual(stamp.Value, mark({ ...OBJECT, eTag: "other" })[2].Value);
  });
});
