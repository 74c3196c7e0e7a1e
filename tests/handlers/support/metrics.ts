/** Metrics that keep their counts, for assertions on what a handler counted. */
import type { MetricsSink } from "../../../handlers/shared/logger";

export class RecordingMetrics implements MetricsSink {
  readonly counts = new Map<string, number>();
  count(name: string, value = 1) {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  milliseconds() {}
  bytes() {}
  flush() {}
  /** What was counted under `name` so far (0 when nothing). */
  of(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
