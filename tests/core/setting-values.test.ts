import assert from "node:assert/strict";
import { ConfigError } from "../../core/errors";
import { closestKey, SettingReader } from "../../core/setting-values";

function reader(values: Record<string, string>) {
  return new SettingReader(Object.fromEntries(Object.entries(values).map(([k, v]) => [`ns:${k}`, v])), "ns");
}

describe("core/setting-values: SettingReader", () => {
  const table: Array<[string, () => unknown, unknown]> = [
    ["names settings with their namespace", () => reader({}).name("k"), "ns:k"],
    ["falls back to the default when a setting is absent", () => reader({}).string("k", "d"), "d"],
    ["treats a blank setting as absent", () => reader({ k: "  " }).integer("k", 7, 0, 10), 7],
    ["trims values", () => reader({ k: " v " }).string("k", "d"), "v"],
    ["reads whole numbers", () => reader({ k: "42" }).integer("k", 0, 0, 100), 42],
    [
      "reads booleans",
      () => [reader({ k: "true" }).boolean("k", false), reader({ k: "false" }).boolean("k", true)],
      [true, false],
    ],
    ["reads a JSON list", () => reader({ k: '["a","b"]' }).list("k", []), ["a", "b"]],
    ["reads a comma-separated list", () => reader({ k: "a, b,,c" }).list("k", []), ["a", "b", "c"]],
    ["copies the default list", () => reader({}).list("k", ["x"]), ["x"]],
    ["reads one of the allowed values", () => reader({ k: "b" }).oneOf("k", ["a", "b"], "a"), "b"],
    ["reads JSON", () => reader({ k: '{"a":1}' }).json("k"), { a: 1 }],
    ["has no value for an absent optional integer", () => reader({}).optionalInteger("k", 0, 1), undefined],
    [
      "lists keys of its namespace it does not know",
      () => reader({ a: "1", b: "2" }).unknownKeys(["a"]),
      ["b"],
    ],
  ];
  for (const [title, run, expected] of table) it(title, () => assert.deepEqual(run(), expected));

  const bad: Array<[string, () => unknown, RegExp]> = [
    [
      "rejects a fraction where a whole number is asked",
      () => reader({ k: "1.5" }).integer("k", 0, 0, 9),
      /whole number/,
    ],
    [
      "rejects a number below the minimum, saying why",
      () => reader({ k: "1" }).integer("k", 0, 5, 9, " (why)"),
      /at least 5 \(why\), got 1/,
    ],
    ["rejects a number above the maximum", () => reader({ k: "10" }).integer("k", 0, 0, 9), /at most 9/],
    ["rejects a boolean written as yes", () => reader({ k: "yes" }).boolean("k", true), /true or false/],
    ["rejects a value not allowed", () => reader({ k: "c" }).oneOf("k", ["a", "b"], "a"), /one of "a", "b"/],
    ["rejects a JSON list of numbers", () => reader({ k: "[1]" }).list("k", []), /list of strings/],
    ["rejects JSON that does not parse", () => reader({ k: "{" }).json("k"), /not valid JSON/],
  ];
  for (const [title, run, message] of bad) {
    it(title, () =>
      assert.throws(
        run,
        (e: unknown) => e instanceof ConfigError && e.setting === "ns:k" && message.test(e.message),
      ),
    );
  }
});

describe("core/setting-values: closestKey", () => {
  const known = ["updateSchedule", "scannerMemoryMb", "tagKey"];
  const table: Array<[string, string, string | undefined]> = [
    ["suggests the key a typo meant", "updateSchedul", "updateSchedule"],
    ["ignores case", "scannermemorymb", "scannerMemoryMb"],
    ["suggests nothing for an unrelated word", "region", undefined],
  ];
  for (const [title, key, expected] of table) it(title, () => assert.equal(closestKey(key, known), expected));
});
