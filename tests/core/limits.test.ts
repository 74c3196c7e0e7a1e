import assert from "node:assert/strict";
import { ConfigError } from "../../core/errors";
import { checkLimit, checkLogRetention, ScannerLimits, UpdaterLimits } from "../../core/limits";
import { parseStackSettings } from "../../core/settings";
import * as size from "../../core/sizing";

const refusal = (name: string, pattern: RegExp) => (e: unknown) =>
  e instanceof ConfigError && e.setting === name && pattern.test(e.message);

describe("core/limits", () => {
  const limit = { min: 2, max: 10, why: " (because)" };
  const table: Array<[string, number, RegExp | undefined]> = [
    ["accepts the minimum", 2, undefined],
    ["accepts the maximum", 10, undefined],
    ["refuses below the minimum, saying why", 1, /must be at least 2 \(because\), got 1/],
    ["refuses above the maximum, saying why", 11, /must be at most 10 \(because\), got 11/],
    ["refuses a fraction", 2.5, /must be a whole number, got 2.5/],
  ];
  for (const [title, n, refused] of table)
    it(`${title}, naming the argument`, () => {
      if (refused === undefined) assert.equal(checkLimit("arg", n, limit), n);
      else assert.throws(() => checkLimit("arg", n, limit), refusal("arg", refused));
    });

  it("asks more scanner and updater memory with ClamAV's official databases than without", () => {
    assert.ok(ScannerLimits.memoryMb(true).min > ScannerLimits.memoryMb(false).min);
    assert.ok(UpdaterLimits.memoryMb(true).min > UpdaterLimits.memoryMb(false).min);
    assert.ok(ScannerLimits.memoryMb(true).min > 256);
  });

  it("asks room in /tmp for two objects at once when batches scan two at a time", () => {
    const one = ScannerLimits.ephemeralStorageMb(1_000_000_000, 1, "x").min;
    const two = ScannerLimits.ephemeralStorageMb(1_000_000_000, 5, "x").min;
    assert.equal(two - one, Math.ceil(1_000_000_000 / 1024 / 1024));
  });

  it("accepts only the retention periods CloudWatch Logs offers", () => {
    assert.equal(checkLogRetention("days", 30), 30);
    assert.throws(() => checkLogRetention("days", 31), refusal("days", /must be one of 1, 3, 5/));
  });

  it("holds the stack settings to the same scanner memory floor", () => {
    const floor = ScannerLimits.memoryMb(true).min;
    const settings = (memory: number) =>
      parseStackSettings({
        "bucketwarden:uploadBuckets": '["photos"]',
        "bucketwarden:scannerMemoryMb": String(memory),
      });
    assert.equal(settings(floor).scanner.memoryMb, floor);
    assert.throws(() => settings(floor - 1), refusal("bucketwarden:scannerMemoryMb", /must be at least/));
    assert.equal(floor, size.minimumScannerMemoryMb(true));
  });
});
