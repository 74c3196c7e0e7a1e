import assert from "node:assert/strict";
import {
  checkStampKey,
  STAMP_KEY_BYTES,
  StampKeyError,
  type StampSubject,
  stampedDefinitionsVersion,
  stampKeyKey,
  stampValue,
  verifyStamp,
} from "../../core/stamp";

const SECRET = Buffer.alloc(STAMP_KEY_BYTES, 1);
const SUBJECT: StampSubject = {
  bucket: "uploads",
  key: "a/b.txt",
  versionId: "v1",
  eTag: "0123abcd",
  definitionsVersion: "d1",
  verdict: "false",
  result: "clean",
};

describe("core/stamp", () => {
  it("writes the definitions version, a slash and a MAC S3 accepts as a tag value", () => {
    const value = stampValue(SECRET, SUBJECT);
    assert.match(value, /^d1\/[A-Za-z0-9_-]{43}$/);
    assert.equal(stampedDefinitionsVersion(value), "d1");
  });

  it("verifies a stamp it made and names its definitions version", () => {
    const { definitionsVersion: _, ...object } = SUBJECT;
    assert.equal(verifyStamp(SECRET, stampValue(SECRET, SUBJECT), object), "d1");
  });

  it("ignores the quotes S3 puts around ETags", () => {
    assert.equal(stampValue(SECRET, SUBJECT), stampValue(SECRET, { ...SUBJECT, eTag: '"0123abcd"' }));
  });

  const changes: Array<[string, Partial<StampSubject>]> = [
    ["another bucket", { bucket: "other" }],
    ["another key", { key: "a/c.txt" }],
    ["another version", { versionId: "v2" }],
    ["no version", { versionId: undefined }],
    ["other content", { eTag: "ffff" }],
    ["another verdict", { verdict: "true" }],
    ["another result", { result: "infected:X" }],
  ];
  for (const [what, change] of changes) {
    it(`rejects a stamp presented for ${what}`, () => {
      const { definitionsVersion: _, ...object } = { ...SUBJECT, ...change };
      assert.equal(verifyStamp(SECRET, stampValue(SECRET, SUBJECT), object), undefined);
    });
  }

  it("rejects a stamp whose definitions version was edited", () => {
    const { definitionsVersion: _, ...object } = SUBJECT;
    const forged = stampValue(SECRET, SUBJECT).replace(/^d1\//, "d2/");
    assert.equal(verifyStamp(SECRET, forged, object), undefined);
  });

  it("rejects a stamp made under another key", () => {
    const { definitionsVersion: _, ...object } = SUBJECT;
    assert.equal(verifyStamp(Buffer.alloc(32, 2), stampValue(SECRET, SUBJECT), object), undefined);
  });

  for (const junk of ["", "/", "d1", "d1/", "d1/short"])
    it(`rejects the malformed stamp "${junk}"`, () => {
      const { definitionsVersion: _, ...object } = SUBJECT;
      assert.equal(verifyStamp(SECRET, junk, object), undefined);
    });

  it("keeps the key beside the manifest under the definitions prefix", () => {
    assert.equal(stampKeyKey("clamav/"), "clamav/scan-stamp.key");
  });

  it("accepts a 32-byte key and refuses any other length", () => {
    assert.equal(checkStampKey(new Uint8Array(32)).length, 32);
    assert.throws(() => checkStampKey(new Uint8Array(16)), StampKeyError);
  });
});
