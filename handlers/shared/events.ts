/**
 * Where verdict events go (core/verdict-event): one sink interface, so the scanner publishes the same
 * events the same way on AWS (EventBridge) and in local mode (a JSON Lines file, an HTTP endpoint).
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { ScannerConfig } from "../../core/handler-config";
import { type BucketwardenEvent, chunks, putEventsEntry } from "../../core/verdict-event";
import { EventPublishError } from "./errors";

/** Takes a batch of events; rejects with {@link EventPublishError} when any was not delivered. */
export interface EventSink {
  publish(events: readonly BucketwardenEvent[]): Promise<void>;
}

/** A sink that drops everything. */
export const noEvents: EventSink = { publish: async () => {} };

/** The part of EventBridgeClient the sink uses, so tests can stub `send`. */
export type PutEventsClient = Pick<EventBridgeClient, "send">;

/**
 * EventBridge PutEvents on `busName` (name or ARN; the default bus when undefined), ten entries a
 * call. PutEvents answers 200 with `FailedEntryCount` when some entries were refused, so that count is
 * checked, not only the call.
 */
export function eventBridgeSink(client: PutEventsClient, busName: string | undefined): EventSink {
  return {
    async publish(events) {
      let lost = 0;
      let cause: unknown;
      for (const group of chunks(events.map((e) => putEventsEntry(e, busName)))) {
        try {
          const out = await client.send(new PutEventsCommand({ Entries: group }));
          const failed = out.FailedEntryCount ?? 0;
          if (failed > 0) {
            lost += failed;
            const first = out.Entries?.find((e) => e.ErrorCode);
            cause ??= new Error(`${first?.ErrorCode ?? "unknown"}: ${first?.ErrorMessage ?? ""}`);
          }
        } catch (error) {
          lost += group.length;
          cause ??= error;
        }
      }
      if (lost > 0)
        throw new EventPublishError(`${lost} of ${events.length} verdict events not delivered`, lost, {
          cause,
        });
    },
  };
}

/** Appends one JSON line per event to `path` (local mode's `.local/events.jsonl`). */
export function jsonLinesSink(path: string): EventSink {
  return {
    async publish(events) {
      if (events.length === 0) return;
      try {
        await mkdir(dirname(path), { recursive: true });
        await appendFile(path, events.map((e) => `${JSON.stringify(e)}\n`).join(""));
      } catch (cause) {
        throw new EventPublishError(`could not append to ${path}`, events.length, { cause });
      }
    },
  };
}

/** How long one POST may take: a hung endpoint must not hold the scanner's invocation. */
export const HTTP_SINK_TIMEOUT_MS = 5_000;

/** POSTs each event as JSON to `url`; anything but a 2xx answer (or no answer in time) is a lost event. */
export function httpSink(url: string, fetchImpl: typeof fetch = fetch): EventSink {
  return {
    async publish(events) {
      let lost = 0;
      let cause: unknown;
      for (const event of events) {
        try {
          const res = await fetchImpl(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(event),
            signal: AbortSignal.timeout(HTTP_SINK_TIMEOUT_MS),
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        } catch (error) {
          lost += 1;
          cause ??= error;
        }
      }
      if (lost > 0)
        throw new EventPublishError(`${lost} of ${events.length} verdict events not POSTed to ${url}`, lost, {
          cause,
        });
    },
  };
}

/** Publishes to every sink; fails (after trying all) with the most events any sink lost. */
export function allSinks(sinks: readonly EventSink[]): EventSink {
  return {
    async publish(events) {
      const results = await Promise.allSettled(sinks.map((s) => s.publish(events)));
      const failed = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      if (failed.length === 0) return;
      const lost = Math.max(...failed.map((e) => (e instanceof EventPublishError ? e.lost : events.length)));
      throw new EventPublishError(`${failed.length} of ${sinks.length} event sinks failed`, lost, {
        cause: failed[0],
      });
    },
  };
}

/**
 * The sink a scanner's config asks for: local mode's file and/or endpoint when either is set, else
 * EventBridge (the named bus or the default one).
 */
export function sinkFromConfig(
  config: Partial<Pick<ScannerConfig, "eventBusName" | "eventsFile" | "eventsUrl">>,
): EventSink {
  const local: EventSink[] = [];
  if (config.eventsFile) local.push(jsonLinesSink(config.eventsFile));
  if (config.eventsUrl) local.push(httpSink(config.eventsUrl));
  if (local.length > 0) return local.length === 1 ? local[0] : allSinks(local);
  return eventBridgeSink(new EventBridgeClient({}), config.eventBusName);
}
