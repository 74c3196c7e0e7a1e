import assert from "node:assert/strict";
import {
  type AwsBacklogInput,
  awsBacklogModel,
  BATCH_OPERATIONS_PRICING,
  GUARDDUTY_S3_PRICING,
  guardDutyCostPerThousand,
  LAMBDA_PRICING,
  lambdaCostPerThousand,
  rescanWindowCost,
  S3_REQUEST_PRICING,
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

describe("bench/cost: the AWS backlog model", () => {
  const base: AwsBacklogInput = {
    objects: 1_000_000,
    meanObjectBytes: 1024,
    warmScanMs: 100,
    memoryMb: 1024,
    concurrency: 10,
    arch: "x86_64",
  };

  it("runs as many tasks at once as the scanner's concurrency cap allows", () => {
    const m = awsBacklogModel(base);
    close(m.objectsPerSecond, 100);
    close(m.hours, 1_000_000 / 100 / 3600);
    close(awsBacklogModel({ ...base, concurrency: 20 }).hours, m.hours / 2);
  });

  it("prices each part from its published rate", () => {
    const { cost } = awsBacklogModel(base);
    close(cost.batchOperations, BATCH_OPERATIONS_PRICING.perJob + BATCH_OPERATIONS_PRICING.perMillionObjects);
    close(cost.lambdaRequests, 0.2);
    // 1M invocations of 0.1 s at 1 GB: 100,000 GB-s.
    close(cost.lambdaCompute, 100_000 * LAMBDA_PRICING.perGbSecond.x86_64);
    close(
      cost.s3Requests,
      1000 * (2 * S3_REQUEST_PRICING.perThousandGet + S3_REQUEST_PRICING.perThousandPut),
    );
    close(
      cost.manifest,
      BATCH_OPERATIONS_PRICING.manifestGenerationPerMillionObjects +
        1000 * (S3_REQUEST_PRICING.perThousandPut / 1000),
    );
    close(
      cost.total,
      cost.batchOperations + cost.manifest + cost.lambdaRequests + cost.lambdaCompute + cost.s3Requests,
    );
  });

  it("pays no listing when the job reads an S3 Inventory report", () =>
    assert.equal(awsBacklogModel({ ...base, generatedManifest: false }).cost.manifest, 0));

  it("pays one cold start per execution environment, not per object", () => {
    const warm = awsBacklogModel(base).cost.lambdaCompute;
    const cold = awsBacklogModel({ ...base, coldStartMs: 10_000 }).cost.lambdaCompute;
    close(cold - warm, 10 * 10 * LAMBDA_PRICING.perGbSecond.x86_64);
  });

  it("costs the same per million objects at every size but for the per-job fee", () => {
    const small = awsBacklogModel({ ...base, objects: 1_000_000 });
    const large = awsBacklogModel({ ...base, objects: 100_000_000 });
    close(small.perMillion - large.perMillion, BATCH_OPERATIONS_PRICING.perJob * (1 - 1 / 100));
  });

  it("prices GuardDuty for the same objects at its per-object and per-GB rates", () =>
    close(awsBacklogModel(base).guardDuty, 1000 * guardDutyCostPerThousand(1024)));

  it("refuses a backlog it cannot run", () => {
    assert.throws(() => awsBacklogModel({ ...base, concurrency: 0 }), RangeError);
    assert.throws(() => awsBacklogModel({ ...base, warmScanMs: 0 }), RangeError);
    assert.throws(() => awsBacklogModel({ ...base, objects: -1 }), RangeError);
  });
});

describe("bench/cost: rescanWindowCost", () => {
  const input = {
    uploadsPerDay: 240_000,
    windowHours: 24,
    buckets: 2,
    meanObjectBytes: 1024,
    warmScanMs: 100,
    memoryMb: 1024,
    concurrency: 10,
    arch: "x86_64" as const,
  };

  it("rescans the objects created within the window, one job per bucket", () => {
    const c = rescanWindowCost(input);
    assert.equal(c.objectsPerRescan, 240_000);
    const model = awsBacklogModel({ ...input, objects: 240_000, jobs: 2 });
    close(c.perRescan, model.cost.total);
    close(c.perMillionObjects, model.perMillion);
  });

  it("costs linearly more for a wider window, apart from the fixed job fees", () => {
    const day = rescanWindowCost(input).perRescan - 2 * BATCH_OPERATIONS_PRICING.perJob;
    const week =
      rescanWindowCost({ ...input, windowHours: 168 }).perRescan - 2 * BATCH_OPERATIONS_PRICING.perJob;
    close(week, 7 * day);
  });

  it("lists the whole bucket to find the window's objects when told its size", () => {
    const narrow = rescanWindowCost(input);
    const listed = rescanWindowCost({ ...input, bucketObjects: 10_000_000 });
    assert.ok(listed.perRescan > narrow.perRescan);
    close(
      listed.perRescan - narrow.perRescan,
      ((10_000_000 - 240_000) / 1e6) * BATCH_OPERATIONS_PRICING.manifestGenerationPerMillionObjects +
        ((10_000 - 240) / 1000) * S3_REQUEST_PRICING.perThousandPut,
    );
  });

  it("costs nothing when rescans are off (a window of 0)", () =>
    assert.deepEqual(rescanWindowCost({ ...input, windowHours: 0 }), {
      objectsPerRescan: 0,
      perRescan: 0,
      perMillionObjects: 0,
      hours: 0,
    }));
});
