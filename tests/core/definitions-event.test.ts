import assert from "node:assert/strict";
import {
  countTextSignatures,
  cvdSignatures,
  DEFINITIONS_UPDATED,
  databaseName,
  definitionsUpdatedEvent,
  signatureChange,
} from "../../core/definitions-event";
import type { DefinitionsFile, DefinitionsManifest } from "../../core/manifest";
import { putEventsEntry } from "../../core/verdict-event";

const file = (name: string, sha: string, extra: Partial<DefinitionsFile> = {}): DefinitionsFile => ({
  name,
  sha256: sha.repeat(64).slice(0, 64),
  size: 1,
  ...extra,
});
const manifest = (files: DefinitionsFile[]): DefinitionsManifest => ({
  formatVersion: 1,
  version: "old",
  updatedAt: "2026-01-01T00:00:00.000Z",
  checkedAt: "2026-01-01T00:00:00.000Z",
  engine: "ClamAV 1.4.3",
  files,
});

describe("core/definitions-event: signatureChange", () => {
  const daily = (v: number, sigs: number, sha: string) =>
    file("daily.cld", sha, { version: v, signatures: sigs });
  type Row = [string, DefinitionsFile[], DefinitionsFile[], boolean | undefined, number];
  const rows: Row[] = [
    ["reports a container whose version rose", [daily(1, 100, "a")], [daily(2, 99, "b")], true, 0],
    [
      "counts a rise in a text database's signatures",
      [file("x.ndb", "a", { signatures: 1 })],
      [file("x.ndb", "b", { signatures: 3 })],
      true,
      2,
    ],
    [
      "counts every signature of a new database",
      [daily(1, 1, "a")],
      [daily(1, 1, "a"), file("new.hdb", "c", { signatures: 4 })],
      true,
      4,
    ],
    [
      "treats a level count with new content as replaced signatures",
      [file("x.hdb", "a", { signatures: 2 })],
      [file("x.hdb", "b", { signatures: 2 })],
      true,
      0,
    ],
    ["treats new content of unknown count as added", [file("x.hdb", "a")], [file("x.hdb", "b")], true, 0],
    [
      "adds nothing when signatures were only dropped",
      [file("x.ndb", "a", { signatures: 3 })],
      [file("x.ndb", "b", { signatures: 1 })],
      false,
      0,
    ],
    [
      "ignores allow lists, which only take detections away",
      [file("x.fp", "a")],
      [file("x.fp", "b")],
      undefined,
      0,
    ],
    [
      "reads daily.cvd and daily.cld as one database",
      [file("daily.cvd", "a", { version: 5, signatures: 9 })],
      [file("daily.cld", "b", { version: 6, signatures: 9 })],
      true,
      0,
    ],
  ];
  for (const [title, before, after, added, count] of rows)
    it(title, () => {
      const change = signatureChange(manifest(before), "new", after);
      assert.equal(change?.added, added);
      assert.equal(change?.signaturesAdded ?? 0, count);
    });

  it("reports nothing on the first publish", () =>
    assert.equal(signatureChange(undefined, "new", [file("x.hdb", "a")]), undefined));

  it("reports nothing when the version did not change", () =>
    assert.equal(signatureChange(manifest([file("x.hdb", "a")]), "old", [file("x.hdb", "b")]), undefined));
});

describe("core/definitions-event: counting", () => {
  it("counts non-empty, non-comment lines of a text database", () =>
    assert.equal(countTextSignatures("a:0:*:00\n\n# note\nb:0:*:01\n  \n"), 2));
  it("reads the signature count of a CVD header", () =>
    assert.equal(cvdSignatures("ClamAV-VDB:07 Nov 2026 08-56 +0000:27450:2076344:90:sig:x:y"), 2076344));
  it("reads no count from a header that is not a CVD's", () =>
    assert.equal(cvdSignatures("nonsense"), undefined));
  it("names a container's database without its extension", () => {
    assert.equal(databaseName("daily.cld"), "daily");
    assert.equal(databaseName("bw.hdb"), "bw.hdb");
  });
});

describe("core/definitions-event: definitionsUpdatedEvent", () => {
  const at = new Date("2026-11-26T12:00:00.000Z");
  it("builds the event only for a change that adds signatures", () => {
    const dropped = signatureChange(manifest([file("x.ndb", "a", { signatures: 3 })]), "new", [
      file("x.ndb", "b", { signatures: 1 }),
    ]);
    assert.equal(definitionsUpdatedEvent(dropped, "defs", at), undefined);
    assert.equal(definitionsUpdatedEvent(undefined, "defs", at), undefined);
  });

  it("never reports zero signatures added for a change that adds some", () => {
    const replaced = signatureChange(manifest([file("x.hdb", "a", { signatures: 2 })]), "new", [
      file("x.hdb", "b", { signatures: 2 }),
    ]);
    assert.equal(definitionsUpdatedEvent(replaced, "defs", at)?.detail.signaturesAdded, 1);
  });

  it("becomes a PutEvents entry on the definitions bucket, at its publish time", () => {
    const change = signatureChange(manifest([]), "new", [file("x.hdb", "a", { signatures: 1 })]);
    const event = definitionsUpdatedEvent(change, "defs", at);
    assert.ok(event);
    const entry = putEventsEntry(event, "bus");
    assert.equal(entry.DetailType, DEFINITIONS_UPDATED);
    assert.equal(entry.Source, "bucketwarden");
    assert.deepEqual(entry.Resources, ["arn:aws:s3:::defs"]);
    assert.equal(entry.Time.toISOString(), at.toISOString());
    assert.deepEqual(JSON.parse(entry.Detail), {
      definitionsBucket: "defs",
      previousVersion: "old",
      version: "new",
      signaturesAdded: 1,
      databases: [{ name: "x.hdb", signatures: 1, added: true }],
      publishedAt: at.toISOString(),
    });
  });
});
