import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../cli/duration";
import { UsageError } from "../../cli/errors";

describe("cli/duration: durations people write", () => {
  const parsed: Array<[string, number]> = [
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["24h", 86_400_000],
    ["7d", 604_800_000],
    ["2w", 1_209_600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    [" 10M ", 600_000],
    ["250ms", 250],
  ];
  for (const [text, ms] of parsed)
    it(`reads "${text}" as ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  for (const text of ["", "24", "h", "1x", "1h 30m", "-1h", "1h-", "0s"])
    it(`refuses "${text}"`, () => assert.throws(() => parseDuration(text), UsageError));

  const formatted: Array<[number, string]> = [
    [0, "0s"],
    [42_400, "42s"],
    [185_000, "3m05s"],
    [7_440_000, "2h04m"],
    [266_400_000, "3d02h"],
    [-1, "?"],
    [Number.POSITIVE_INFINITY, "?"],
  ];
  for (const [ms, text] of formatted)
    it(`writes ${ms} ms as "${text}"`, () => assert.equal(formatDuration(ms), text));
});
