/** Summaries of measured samples. Pure. */

/** What a set of timings comes to. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/**
 * The `p`-th percentile (0-100) by linear interpolation between closest ranks, as numpy's default
 * does: with the few samples a slow case allows, nearest-rank would make p95 simply the maximum.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("percentile of no values");
  if (p < 0 || p > 100) throw new RangeError(`percentile must be between 0 and 100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("summary of no values");
  return {
    n: values.length,
    min: Math.min(...values),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

/** Bytes in a MB as this benchmark counts them (object sizes are 1 KB = 1024 B, 1 MB = 2^20 B). */
export const MB = 1024 * 1024;

/** Throughput in MB/s of `bytes` handled in `ms`. */
export function mbPerSecond(bytes: number, ms: number): number {
  if (ms <= 0) throw new RangeError(`duration must be positive, got ${ms}`);
  return bytes / MB / (ms / 1000);
}
