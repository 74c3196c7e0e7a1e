import assert from "node:assert/strict";
import { mbPerSecond, percentile, summarize } from "../../bench/stats";

describe("bench/stats", () => {
  const table: Array<[string, number[], number, number]> = [
    ["takes the middle value as the median of an odd count", [5, 1, 3], 50, 3],
    ["interpolates the median of an even count", [1, 2, 3, 4], 50, 2.5],
    [
      "interpolates p95 between the two largest of few samples instead of taking the max",
      [10, 20, 30, 40, 50],
      95,
      48,
    ],
    ["gives the only value for any percentile of one sample", [7], 95, 7],
    ["gives the minimum at p0 and the maximum at p100", [4, 9, 1], 100, 9],
  ];
  for (const [name, values, p, expected] of table) {
    it(name, () => assert.equal(percentile(values, p), expected));
  }

  it("does not reorder the caller's samples", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    assert.deepEqual(values, [3, 1, 2]);
  });

  it("refuses a percentile of no samples, since there is nothing to report", () => {
    assert.throws(() => percentile([], 50), RangeError);
    assert.throws(() => summarize([]), RangeError);
  });

  it("summarizes count, extremes, median, p95 and mean", () => {
    assert.deepEqual(summarize([1, 2, 3, 4, 5]), { n: 5, min: 1, p50: 3, p95: 4.8, max: 5, mean: 3 });
  });

  it("counts throughput in MB of 2^20 bytes per second", () => {
    assert.equal(mbPerSecond(100 * 1024 * 1024, 2000), 50);
  });

  it("refuses a zero duration instead of reporting infinite throughput", () => {
    assert.throws(() => mbPerSecond(1, 0), RangeError);
  });
});
