/** When a failed object is tried again, and when it is given up on. Pure. */

export interface RetryPolicy {
  /** Attempts in all, the first included (SQS's maxReceiveCount). */
  maxAttempts: number;
  /** Delay after the first failure; it doubles with each further one. */
  baseMs: number;
  /** Longest delay. */
  maxMs: number;
}

/**
 * The delay before the next attempt, or `undefined` to give up. Jitter (half to all of the delay)
 * spreads out retries of the many objects one failure takes down together, so they do not return as
 * one burst.
 */
export function retryDelay(
  failedAttempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (failedAttempts >= policy.maxAttempts) return undefined;
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(full * (0.5 + random() / 2));
}
