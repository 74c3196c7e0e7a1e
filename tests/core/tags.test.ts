import assert from "node:assert/strict";
import { ConfigError } from "../../core/errors";
import {
  DEFAULT_TAG_SCHEMA,
  isClean,
  isPending,
  isScannerTagKey,
  scannerTagKeys,
  type TagSchema,
  tagKeyProblem,
  tagSchema,
  tagValueProblem,
} from "../../core/tags";

const NAMES = {
  key: "K",
  infectedValue: "I",
  cleanValue: "C",
  pendingValue: "P",
  resultKey: "R",
  stampKey: "S",
};

describe("core/tags: tagKeyProblem and tagValueProblem", () => {
  const keys: Array<[string, string, boolean]> = [
    ["accepts the seed's key", "Infected", true],
    ["accepts keys with the punctuation S3 allows", "av:status/v1 +-=._@", true],
    ["accepts Unicode letters", "Geprüft", true],
    ["rejects an empty key", "", false],
    ["rejects a key over 128 characters", "k".repeat(129), false],
    ["rejects characters S3 refuses", "infected!", false],
    ["rejects the aws: prefix AWS reserves", "aws:scan", false],
    ["rejects the aws: prefix in any case", "AWS:scan", false],
  ];
  for (const [title, key, ok] of keys)
    it(`${title} as a tag key`, () => assert.equal(tagKeyProblem(key) === undefined, ok));

  const values: Array<[string, string, boolean]> = [
    ["accepts an empty value", "", true],
    ["accepts a 256-character value", "v".repeat(256), true],
    ["rejects a 257-character value", "v".repeat(257), false],
    ["rejects characters S3 refuses", "yes;no", false],
  ];
  for (const [title, value, ok] of values)
    it(`${title} as a tag value`, () => assert.equal(tagValueProblem(value) === undefined, ok));
});

describe("core/tags: tagSchema", () => {
  it("fills every unset field with the seed's defaults", () => {
    assert.deepEqual(tagSchema({}, NAMES), DEFAULT_TAG_SCHEMA);
  });

  it("ignores fields given as undefined", () => {
    assert.deepEqual(tagSchema({ key: undefined }, NAMES), DEFAULT_TAG_SCHEMA);
  });

  it("returns a frozen schema", () => {
    assert.ok(Object.isFrozen(tagSchema({ key: "Verdict" }, NAMES)));
  });

  const bad: Array<[string, Partial<TagSchema>, string]> = [
    ["rejects a verdict key S3 refuses, naming its setting", { key: "bad!" }, "K"],
    ["rejects a result key S3 refuses, naming its setting", { resultKey: "aws:x" }, "R"],
    ["rejects a stamp key S3 refuses, naming its setting", { stampKey: "" }, "S"],
    ["rejects an empty infected value", { infectedValue: "" }, "I"],
    ["rejects a clean value S3 refuses", { cleanValue: "ok?" }, "C"],
    [
      "rejects equal clean and infected values, which would make the verdict ambiguous",
      { cleanValue: "true" },
      "C",
    ],
    ["rejects a result key equal to the verdict key", { resultKey: "Infected" }, "K"],
    [
      "rejects a pending value equal to the clean value, which would read as clean",
      { pendingValue: "false" },
      "P",
    ],
    ["rejects a pending value equal to the infected value", { pendingValue: "true" }, "P"],
    ["rejects an empty pending value", { pendingValue: "" }, "P"],
  ];
  for (const [title, settings, setting] of bad) {
    it(title, () => {
      assert.throws(
        () => tagSchema({ ...settings }, NAMES),
        (e: unknown) =>
          e instanceof ConfigError && e.setting === setting && e.message.startsWith(`${setting}: `),
      );
    });
  }
});

describe("core/tags: isClean and scannerTagKeys", () => {
  const table: Array<[string, Array<{ Key: string; Value: string }>, boolean]> = [
    ["calls an object clean only with the clean verdict", [{ Key: "Infected", Value: "false" }], true],
    ["does not call an infected object clean", [{ Key: "Infected", Value: "true" }], false],
    ["does not call an untagged object clean", [], false],
    [
      "does not call an object clean on a user tag of another key",
      [{ Key: "infected", Value: "false" }],
      false,
    ],
    [
      "does not call an object clean on an unknown verdict value",
      [{ Key: "Infected", Value: "False" }],
      false,
    ],
  ];
  for (const [title, tags, clean] of table)
    it(title, () => assert.equal(isClean(tags, DEFAULT_TAG_SCHEMA), clean));

  const pending: Array<[string, Array<{ Key: string; Value: string }>, boolean]> = [
    ["reads the pending mark", [{ Key: "Infected", Value: "pending" }], true],
    ["does not read a clean verdict as pending", [{ Key: "Infected", Value: "false" }], false],
    ["does not read a user tag of another key as pending", [{ Key: "infected", Value: "pending" }], false],
    ["does not read an untagged object as pending", [], false],
  ];
  for (const [title, tags, marked] of pending)
    it(title, () => assert.equal(isPending(tags, DEFAULT_TAG_SCHEMA), marked));

  it("does not call a pending object clean", () =>
    assert.equal(isClean([{ Key: "Infected", Value: "pending" }], DEFAULT_TAG_SCHEMA), false));

  it("defaults the pending value to pending", () => assert.equal(DEFAULT_TAG_SCHEMA.pendingValue, "pending"));

  it("lists every key the scanner owns", () => {
    assert.deepEqual(scannerTagKeys(DEFAULT_TAG_SCHEMA), ["Infected", "ScanResult", "ScanStamp"]);
  });
});

describe("core/tags: isScannerTagKey", () => {
  const table: Array<[string, boolean]> = [
    ["Infected", true],
    ["infected", true],
    ["INFECTED", true],
    ["scanresult", true],
    ["SCANSTAMP", true],
    ["Infected ", false],
    ["Infected2", false],
    ["project", false],
    ["", false],
  ];
  for (const [key, reserved] of table)
    it(`${reserved ? "reserves" : "leaves to the user"} the key "${key}"`, () =>
      assert.equal(isScannerTagKey(key, DEFAULT_TAG_SCHEMA), reserved));
});
