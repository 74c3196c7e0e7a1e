import assert from "node:assert/strict";
import { ConfigError } from "../../core/errors";
import { parseRescanWindow } from "../../core/rescan-window";

describe("core/rescan-window: parseRescanWindow", () => {
  const good: Array<[string | number | boolean, number | undefined]> = [
    ["24h", 86_400],
    ["7d", 604_800],
    ["90m", 5_400],
    ["3600s", 3_600],
    [" 2D ", 172_800],
    ["0", undefined],
    ["off", undefined],
    ["false", undefined],
    [false, undefined],
    [0, undefined],
  ];
  for (const [value, seconds] of good)
    it(`reads ${JSON.stringify(value)} as ${seconds === undefined ? "rescans off" : `${seconds} s`}`, () =>
      assert.equal(parseRescanWindow(value, "W"), seconds));

  const bad: Array<[string, string | number, RegExp]> = [
    ["a number without a unit", "24", /not a duration/],
    ["an unknown unit", "2w", /not a duration/],
    ["a negative window", "-1h", /not a duration/],
    ["a window under a minute", "30s", /between 1 minute and 366 days/],
    ["a window over a year", "400d", /between 1 minute and 366 days/],
    ["a bare number", 5, /not a duration/],
  ];
  for (const [title, value, message] of bad)
    it(`rejects ${title}, naming the setting`, () =>
      assert.throws(
        () => parseRescanWindow(value, "bucketwarden:rescanWindow"),
        (e: unknown) =>
          e instanceof ConfigError && e.setting === "bucketwarden:rescanWindow" && message.test(e.message),
      ));
});
