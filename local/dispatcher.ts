/**
 * Moves work from the durable queue to the scanner function, as Lambda's SQS event source does:
 * batches of up to `batchSize` messages, one invocation per free execution environment, partial
 * batch failures honoured. A failed message goes back to the queue with a growing delay and, after
 * its last attempt, is given up on explicitly.
 */
import type { SQSBatchResponse } from "aws-lambda";
import type { Invocation } from "./lambda/function";
import type { DurableQueue, QueueItem } from "./queue";
import { type RetryPolicy, retryDelay } from "./retry";
import { sqsEvent } from "./sqs-event";

/** How one queue item ended. */
export type Settlement =
  | { kind: "done"; item: QueueItem; invocation: Invocation }
  | { kind: "dead-letter"; item: QueueItem; error: string };

export interface DispatcherDeps {
  queue: DurableQueue;
  scanner: { readonly available: number; invoke(event: unknown): Promise<Invocation> };
  batchSize: number;
  retry: RetryPolicy;
  region: string;
  /** Told about every item that leaves the queue. */
  settled(s: Settlement): void;
  /** Told about every failed attempt that will be retried. */
  retrying(item: QueueItem, error: string, delayMs: number): void;
  now?: () => number;
}

export class Dispatcher {
  private timer?: NodeJS.Timeout;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Hands out whatever is due to free environments; call whenever work or capacity appears. */
  pump(): void {
    if (this.stopped) return;
    const { queue, scanner, batchSize } = this.deps;
    const now = this.now();
    while (scanner.available > 0) {
      const batch = queue.take(batchSize, now);
      if (batch.length === 0) break;
      const run = this.run(batch).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
    // Without a free environment, the end of a running invocation pumps again; a timer would spin.
    if (scanner.available > 0) this.wakeAt(queue.nextDueAt());
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Stops handing out work and waits for the invocations under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
  }

  private async run(batch: QueueItem[]): Promise<void> {
    const { queue, scanner, region } = this.deps;
    const invocation = await scanner.invoke(sqsEvent(batch, region, this.now()));
    if (invocation.error) {
      const { errorType, errorMessage } = invocation.error;
      // The whole batch failed together; retrying its members one by one finds the one to blame.
      return this.fail(batch, `${errorType}: ${errorMessage}`, batch.length > 1);
    }
    const failures = batchItemFailures(invocation.response);
    const ids = new Set(batch.map((i) => i.id));
    if (failures === "invalid" || [...failures].some((id) => !ids.has(id))) {
      // Lambda fails the whole batch when the response names messages it did not send.
      return this.fail(batch, "the scanner's batch response is invalid", batch.length > 1);
    }
    const done = batch.filter((i) => !failures.has(i.id));
    queue.remove(done.map((i) => i.id));
    for (const item of done) this.deps.settled({ kind: "done", item, invocation });
    this.fail(
      batch.filter((i) => failures.has(i.id)),
      `the scanner reported it failed (RequestId ${invocation.requestId}; see its log)`,
      false,
    );
  }

  private fail(items: readonly QueueItem[], error: string, solo: boolean): void {
    const { queue, retry } = this.deps;
    for (const item of items) {
      const delay = retryDelay(item.attempts + 1, retry);
      if (delay === undefined) {
        queue.remove([item.id]);
        this.deps.settled({ kind: "dead-letter", item: { ...item, attempts: item.attempts + 1 }, error });
      } else {
        // Once alone, stays alone: an item that failed by itself must not take a batch down with it.
        const updated = queue.retry(item.id, this.now() + delay, error, solo || item.solo === true);
        if (updated) this.deps.retrying(updated, error, delay);
      }
    }
  }

  private wakeAt(at: number | undefined): void {
    clearTimeout(this.timer);
    if (at === undefined || this.stopped) return;
    this.timer = setTimeout(() => this.pump(), Math.max(0, at - this.now()));
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

/**
 * The ids of the messages the function reported as failed. A response without `batchItemFailures`
 * (or `null`) means every message succeeded, as Lambda reads it.
 */
export function batchItemFailures(response: unknown): Set<string> | "invalid" {
  if (response === null || response === undefined) return new Set();
  if (typeof response !== "object") return "invalid";
  const list = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return "invalid";
  const ids = new Set<string>();
  for (const f of list) {
    if (typeof f?.itemIdentifier !== "string" || f.itemIdentifier === "") return "invalid";
    ids.add(f.itemIdentifier);
  }
  return ids;
}
