import assert from "node:assert/strict";
import {
  GUARDDUTY_S3_PRICING,
  guardDutyCostPerThousand,
  LAMBDA_PRICING,
  lambdaCostPerThousand,
} from "../../bench/cost";

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);

describe("bench/cost", () => {
  it("prices 1,000 one-second x86 invocations at 1 GB as 1,000 GB-s plus 1,000 requests", () => {
    close(lambdaCostPerThousand(1000, 1024, "x86_64"), 1000 * 0.0000166667 + 0.0002);
  });

  it("prices arm64 lower than x86 for the same duration and memory", () => {
    assert.ok(lambdaCostPerThousand(500, 2048, "arm64") < lambdaCostPerThousand(500, 2048, "x86_64"));
  });

  it("bills each invocation's duration rounded up to the next millisecond", () => {
    close(lambdaCostPerThousand(10.2, 1024, "x86_64"), lambdaCostPerThousand(11, 1024, "x86_64"));
  });

  it("scales with configured memory, not with memory used", () => {
    const small = lambdaCostPerThousand(100, 512, "x86_64") - 1000 * LAMBDA_PRICING.perRequest;
    const large = lambdaCostPerThousand(100, 1024, "x86_64") - 1000 * LAMBDA_PRICING.perRequest;
    close(large, 2 * small);
  });

  it("charges GuardDuty its per-object fee even for tiny objects", () => {
    close(guardDutyCostPerThousand(0), GUARDDUTY_S3_PRICING.perThousandObjects);
  });

  it("charges GuardDuty $0.09 per GB scanned on top of the per-object fee", () => {
    close(guardDutyCostPerThousand(1024 * 1024 * 1024), 1000 * 0.09 + 0.215);
  });

  it("refuses negative durations and sizes", () => {
    assert.throws(() => lambdaCostPerThousand(-1, 1024, "x86_64"), RangeError);
    assert.throws(() => guardDutyCostPerThousand(-1), RangeError);
  });
});
