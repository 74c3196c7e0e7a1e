import assert from "node:assert/strict";
import {
  changedFiles,
  type DefinitionsFile,
  type DefinitionsManifest,
  definitionsFileKey,
  definitionsVersion,
  ManifestError,
  manifestKey,
  parseManifest,
} from "../../core/manifest";

const sha = (c: string) => c.repeat(64);
const main: DefinitionsFile = { name: "main.cvd", sha256: sha("a"), size: 10, version: 62 };
const daily: DefinitionsFile = { name: "daily.cld", sha256: sha("b"), size: 20 };
const dailyNext: DefinitionsFile = { ...daily, sha256: sha("c") };

function manifest(
  files: DefinitionsFile[],
  overrides: Partial<DefinitionsManifest> = {},
): DefinitionsManifest {
  return {
    formatVersion: 1,
    version: definitionsVersion(files),
    updatedAt: "2026-01-01T00:00:00Z",
    checkedAt: "2026-01-01T00:00:00Z",
    engine: "ClamAV 1.4.2",
    files,
    ...overrides,
  };
}

describe("core/manifest: keys", () => {
  const table: Array<[string, () => string, string]> = [
    ["puts the manifest under the prefix", () => manifestKey("clamav/"), "clamav/manifest.json"],
    [
      "stores files by content, so a reader never sees one change under it",
      () => definitionsFileKey("clamav/", main),
      `clamav/files/${sha("a")}/main.cvd`,
    ],
    ["works with an empty prefix", () => manifestKey(""), "manifest.json"],
  ];
  for (const [title, run, expected] of table) it(title, () => assert.equal(run(), expected));
});

describe("core/manifest: definitionsVersion and changedFiles", () => {
  it("does not depend on the order of the files", () => {
    assert.equal(definitionsVersion([main, daily]), definitionsVersion([daily, main]));
  });

  it("changes when any file's content changes", () => {
    assert.notEqual(definitionsVersion([main, daily]), definitionsVersion([main, dailyNext]));
  });

  it("does not change with sizes or database versions alone", () => {
    assert.equal(definitionsVersion([main]), definitionsVersion([{ ...main, size: 99, version: 63 }]));
  });

  const changes: Array<[string, DefinitionsManifest | undefined, DefinitionsFile[], string[]]> = [
    ["uploads everything on the first run", undefined, [main, daily], ["main.cvd", "daily.cld"]],
    ["uploads nothing when nothing changed", manifest([main, daily]), [main, daily], []],
    [
      "uploads only the file whose content changed",
      manifest([main, daily]),
      [main, dailyNext],
      ["daily.cld"],
    ],
  ];
  for (const [title, previous, next, expected] of changes)
    it(title, () =>
      assert.deepEqual(
        changedFiles(previous, next).map((f) => f.name),
        expected,
      ),
    );
});

describe("core/manifest: parseManifest", () => {
  it("reads back a manifest it wrote", () => {
    const m = manifest([main, daily]);
    assert.deepEqual(parseManifest(JSON.stringify(m)), m);
  });

  const bad: Array<[string, string]> = [
    ["rejects text that is not JSON", "{"],
    ["rejects an unknown format version", JSON.stringify(manifest([main], { formatVersion: 2 as 1 }))],
    ["rejects a manifest without files", JSON.stringify(manifest([]))],
    [
      "rejects a file name that could climb out of the prefix",
      JSON.stringify(manifest([{ ...main, name: "../main.cvd" }])),
    ],
    ["rejects a hash that is not SHA-256 hex", JSON.stringify(manifest([{ ...main, sha256: "xyz" }]))],
    [
      "rejects a version that does not match the files",
      JSON.stringify(manifest([main], { version: "0000000000000000" })),
    ],
    ["rejects null", "null"],
  ];
  for (const [title, json] of bad) it(title, () => assert.throws(() => parseManifest(json), ManifestError));
});
