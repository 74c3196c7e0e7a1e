/**
 * What scanning 1,000 objects costs at published prices: on Lambda at the measured durations, and
 * with GuardDuty Malware Protection for S3. Pure; prices are constants with their source and date.
 */

/** Lambda on-demand prices, us-east-1, first pricing tier (aws.amazon.com/lambda/pricing). */
export const LAMBDA_PRICING = {
  region: "us-east-1",
  /** USD per GB-second of configured memory. */
  perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  /** USD per request. */
  perRequest: 0.2 / 1_000_000,
} as const;

/** GuardDuty Malware Protection for S3, us-east-1 (aws.amazon.com/guardduty/pricing). */
export const GUARDDUTY_S3_PRICING = {
  region: "us-east-1",
  /** USD per GB scanned. */
  perGb: 0.09,
  /** USD per 1,000 objects scanned. */
  perThousandObjects: 0.215,
} as const;

export type Architecture = keyof typeof LAMBDA_PRICING.perGbSecond;

/** Lambda and GuardDuty both count a GB as 1024 MB (Lambda: configured MB / 1024). */
const GB = 1024 * 1024 * 1024;

/**
 * USD for 1,000 invocations of `durationMs` each at `memoryMb` of configured memory. Lambda bills
 * configured memory (not what was used) and rounds each duration up to the next millisecond.
 */
export function lambdaCostPerThousand(durationMs: number, memoryMb: number, arch: Architecture): number {
  if (durationMs < 0) throw new RangeError(`duration must not be negative, got ${durationMs}`);
  if (memoryMb <= 0) throw new RangeError(`memory must be positive, got ${memoryMb}`);
  const gbSeconds = (Math.ceil(durationMs) / 1000) * (memoryMb / 1024);
  return 1000 * (gbSeconds * LAMBDA_PRICING.perGbSecond[arch] + LAMBDA_PRICING.perRequest);
}

/** USD for GuardDuty to scan 1,000 objects of `objectBytes` each. */
export function guardDutyCostPerThousand(objectBytes: number): number {
  if (objectBytes < 0) throw new RangeError(`object size must not be negative, got ${objectBytes}`);
  return 1000 * (objectBytes / GB) * GUARDDUTY_S3_PRICING.perGb + GUARDDUTY_S3_PRICING.perThousandObjects;
}

/**
 * S3 Batch Operations, us-east-1 (aws.amazon.com/s3/pricing, "Management & insights", read
 * 2026-11-26 from memory of that page: the stored docs corpus here holds no copy of it; the $0.25 per
 * job is also quoted, per bucket per job, by Yelp's engineering blog of 2025-09-26). Check the page
 * before relying on these: they are the least certain prices in this file.
 */
export const BATCH_OPERATIONS_PRICING = {
  region: "us-east-1",
  /** USD per job. */
  perJob: 0.25,
  /** USD per million objects (tasks) processed. */
  perMillionObjects: 1.0,
  /** USD per million objects listed when the job generates its manifest (instead of S3 Inventory). */
  manifestGenerationPerMillionObjects: 0.015,
} as const;

/**
 * S3 Standard request prices, us-east-1 (aws.amazon.com/s3/pricing, "Storage & requests", read
 * 2026-11-26; the same figures as c3x.dev/blog/s3-request-fees-explained). GetObjectTagging is billed
 * as a GET, PutObjectTagging as a PUT, a LIST page as a PUT.
 */
export const S3_REQUEST_PRICING = {
  region: "us-east-1",
  /** USD per 1,000 PUT, COPY, POST or LIST requests. */
  perThousandPut: 0.005,
  /** USD per 1,000 GET, HEAD and other requests. */
  perThousandGet: 0.0004,
} as const;

/**
 * What the scanner asks S3 for each object of a backlog (handlers/scanner/scan-object): GetObject and
 * GetObjectTagging at once, then PutObjectTagging. An unversioned object's overwrite re-check and the
 * retries of throttled requests are left out.
 */
export const SCANNER_REQUESTS_PER_OBJECT = { get: 2, put: 1 } as const;

/** Keys per page of ListObjectVersions: what a generated manifest's listing pays for. */
const KEYS_PER_LIST_PAGE = 1000;

/** A backlog to price: how many objects, how big, and how the scanner runs them. */
export interface AwsBacklogInput {
  objects: number;
  /** Mean object size: GuardDuty bills per GB scanned. */
  meanObjectBytes: number;
  /** One warm scan (one Batch Operations task, one invocation), event in to tag written. */
  warmScanMs: number;
  /** The scanner's configured memory (billed, whatever is used). */
  memoryMb: number;
  /** The scanner's reserved concurrency: at most this many tasks run at once. */
  concurrency: number;
  arch: Architecture;
  /** One execution environment's cold start, paid once per environment. @default 0 */
  coldStartMs?: number;
  /** Jobs the objects are spread over (one per bucket). @default 1 */
  jobs?: number;
  /** The job lists the bucket itself (true) or reads an S3 Inventory report (false). @default true */
  generatedManifest?: boolean;
  /**
   * Objects the generated manifest lists: a prefix or created-after filter is applied to the listing,
   * so a rescan lists the whole bucket to find its window's objects. @default objects
   */
  listedObjects?: number;
}

/** USD by what it pays for. */
export interface AwsBacklogCost {
  batchOperations: number;
  manifest: number;
  lambdaRequests: number;
  lambdaCompute: number;
  s3Requests: number;
  total: number;
}

/** Time and cost of a backlog on AWS, beside GuardDuty's price for the same objects. */
export interface AwsBacklogModel {
  /** Tasks per second at the concurrency cap. */
  objectsPerSecond: number;
  hours: number;
  cost: AwsBacklogCost;
  /** `cost.total` per million objects. */
  perMillion: number;
  /** GuardDuty Malware Protection for S3, on demand, for the same objects. */
  guardDuty: number;
}

/**
 * Time and cost to scan a backlog with S3 Batch Operations invoking the scanner's batch entry point,
 * one task (one object) per invocation, as many at once as the scanner's reserved concurrency allows.
 * Batch Operations documents no task rate of its own for Lambda jobs (it invokes synchronously and
 * retries throttled tasks), so the concurrency cap and the warm scan time set the pace; the time the
 * job spends preparing its manifest before the first task is not modelled.
 */
export function awsBacklogModel(input: AwsBacklogInput): AwsBacklogModel {
  const { objects, warmScanMs, memoryMb, concurrency, arch } = input;
  if (!(objects >= 0)) throw new RangeError(`objects must not be negative, got ${objects}`);
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1, got ${concurrency}`);
  if (!(warmScanMs > 0)) throw new RangeError(`the warm scan time must be positive, got ${warmScanMs}`);
  const jobs = input.jobs ?? 1;
  const coldStartMs = input.coldStartMs ?? 0;
  const environments = Math.min(concurrency, objects);
  const objectsPerSecond = (concurrency * 1000) / warmScanMs;
  const seconds = objects / objectsPerSecond + (objects > 0 ? coldStartMs / 1000 : 0);
  const computeGbSeconds =
    ((objects * Math.ceil(warmScanMs) + environments * Math.ceil(coldStartMs)) / 1000) * (memoryMb / 1024);
  const listed = input.listedObjects ?? objects;
  const listPages = Math.ceil(listed / KEYS_PER_LIST_PAGE);
  const cost = {
    batchOperations:
      jobs * BATCH_OPERATIONS_PRICING.perJob + (objects / 1e6) * BATCH_OPERATIONS_PRICING.perMillionObjects,
    manifest:
      (input.generatedManifest ?? true)
        ? (listed / 1e6) * BATCH_OPERATIONS_PRICING.manifestGenerationPerMillionObjects +
          (listPages / 1000) * S3_REQUEST_PRICING.perThousandPut
        : 0,
    lambdaRequests: objects * LAMBDA_PRICING.perRequest,
    lambdaCompute: computeGbSeconds * LAMBDA_PRICING.perGbSecond[arch],
    s3Requests:
      (objects / 1000) *
      (SCANNER_REQUESTS_PER_OBJECT.get * S3_REQUEST_PRICING.perThousandGet +
        SCANNER_REQUESTS_PER_OBJECT.put * S3_REQUEST_PRICING.perThousandPut),
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  return {
    objectsPerSecond,
    hours: seconds / 3600,
    cost: { ...cost, total },
    perMillion: objects > 0 ? (total / objects) * 1e6 : 0,
    guardDuty: (objects / 1000) * guardDutyCostPerThousand(input.meanObjectBytes),
  };
}

/** A rescan window to price: how fast objects arrive and how far back a rescan reaches. */
export interface RescanWindowInput extends Omit<AwsBacklogInput, "objects" | "jobs"> {
  /** New objects per day across the upload buckets. */
  uploadsPerDay: number;
  /** How far back a rescan reaches (the `rescanWindow` setting), in hours. */
  windowHours: number;
  /** Upload buckets: one job each per definitions update that adds signatures. */
  buckets: number;
  /** Objects in the buckets, all listed to find the window's. @default the window's objects */
  bucketObjects?: number;
}

/** What one rescan costs, and what it costs per million objects rescanned. */
export interface RescanWindowCost {
  /** Objects one rescan scans again: those created within the window. */
  objectsPerRescan: number;
  /** USD for one rescan (every bucket's job). */
  perRescan: number;
  /** USD per million objects rescanned, the per-job fees included. */
  perMillionObjects: number;
  hours: number;
}

/**
 * The cost of rescanning the objects created within `windowHours` when definitions add signatures:
 * one Batch Operations job per bucket over `uploadsPerDay × windowHours / 24` objects. A wider window
 * costs linearly more; the per-job fees are paid even when the window holds few objects.
 */
export function rescanWindowCost(input: RescanWindowInput): RescanWindowCost {
  if (!(input.windowHours >= 0))
    throw new RangeError(`the window must not be negative, got ${input.windowHours}`);
  // A window of 0 turns rescans off: no job, no cost.
  if (input.windowHours === 0) return { objectsPerRescan: 0, perRescan: 0, perMillionObjects: 0, hours: 0 };
  const objectsPerRescan = Math.round((input.uploadsPerDay * input.windowHours) / 24);
  const { bucketObjects, ...rest } = input;
  const model = awsBacklogModel({
    ...rest,
    objects: objectsPerRescan,
    jobs: input.buckets,
    ...(bucketObjects !== undefined ? { listedObjects: Math.max(bucketObjects, objectsPerRescan) } : {}),
  });
  return {
    objectsPerRescan,
    perRescan: model.cost.total,
    perMillionObjects: model.perMillion,
    hours: model.hours,
  };
}
