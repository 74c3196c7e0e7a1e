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
