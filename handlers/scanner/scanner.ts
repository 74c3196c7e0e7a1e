/**
 * The scanner: events in, verdict tags out. `createScanner` wires the core to injected clients so
 * that Lambda (`index.ts`), local mode and the tests run the same code.
 */
import { join } from "node:path";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { BACKLOG_MODE_ARGUMENT, BacklogKind } from "../../core/backlog-job";
import {
  type BatchOperationsResponse,
  isBatchOperationsEvent,
  parseBatchOperationsEvent,
} from "../../core/batch-operations";
import { isSqsEvent, type ObjectRef, parseScannerEvent } from "../../core/events";
import { engineMaxScanTimeMs, type ScannerConfig } from "../../core/handler-config";
import { SCANNER_SCANS_AT_ONCE, SCRATCH_DISK_MB, scanRetryDelaySeconds } from "../../core/sizing";
import { type VerdictEvent, verdictEvent } from "../../core/verdict-event";
import { EventPublishError, ScanFailedError } from "../shared/errors";
import { type EventSink, noEvents } from "../shared/events";
import { errorAttributes, type Log, type MetricsSink, noMetrics, silentLog } from "../shared/logger";
import { layerTools, type ToolResolver } from "../shared/tools";
import { answerBatchInvocation } from "./batch-operations";
import { DefinitionsCache } from "./definitions";
import { ResidentEngine } from "./engine";
import type { ObjectResult } from "./results";
import { type DelayRetry, type RetryingMessage, retryingMessages } from "./retry";
import { scanObject } from "./scan-object";

export interface ScannerDeps {
  config: ScannerConfig;
  /** Reads and tags the uploads, and reads the definitions bucket. */
  s3: S3Client;
  /** A separate client for the definitions bucket. @default s3 */
  definitionsS3?: S3Client;
  /** How to run clamd. @default the scanner layer at `config.layerRoot` */
  tools?: ToolResolver;
  /** @default a log that drops everything */
  log?: Log;
  /** @default metrics that go nowhere */
  metrics?: MetricsSink;
  /** Objects scanned at the same time. @default 2 */
  concurrency?: number;
  /**
   * Objects larger than this (or of unknown size) are scanned one at a time: clamd spools each
   * stream to `/tmp`, which is sized for one object of `maxObjectBytes` (core/sizing).
   * @default {@link serialScanThresholdBytes}
   */
  serialAboveBytes?: number;
  /** Clock for the definitions check interval. @default Date.now */
  now?: () => number;
  /**
   * Delays the retry of an SQS message that failed transiently (on AWS: ChangeMessageVisibility, see
   * `retry.ts`). Without it, a failed message comes back when its queue or runner says (local mode's
   * runner has its own retries and back-off).
   */
  delayRetry?: DelayRetry;
  /**
   * Where each object's verdict event goes (core/verdict-event), once per `scanObjects` call. A
   * failed publish is logged and counted (`VerdictEventsLost`) but never fails the scan: the verdict
   * tag is what keeps readers safe. @default nowhere
   */
  events?: EventSink;
}

/** What a direct (non-SQS) invocation returns when every object succeeded. */
export interface ScanReport {
  results: ObjectResult[];
}

export interface Scanner {
  /**
   * Handles a Lambda event. SQS batches get `batchItemFailures` naming the messages to retry; an S3
   * Batch Operations invocation gets a result per task (`batch-operations.ts`) and never throws for
   * a task; a direct S3 event throws {@link ScanFailedError} when any object failed.
   */
  handle(event: unknown): Promise<SQSBatchResponse | BatchOperationsResponse | ScanReport>;
  /**
   * Scans objects outside any event (local mode). Never throws for an object's failure.
   * `freshDefinitions`: check for new definitions first, whatever the interval (rescans).
   */
  scanObjects(refs: readonly ObjectRef[], options?: { freshDefinitions?: boolean }): Promise<ObjectResult[]>;
  /**
   * Brings the engine up to the newest published definitions (asking the bucket at once when
   * `fresh`, else at most every definitionsCheckIntervalMs); returns their version.
   */
  refreshDefinitions(fresh?: boolean): Promise<string>;
  /** The engine's pid and loaded definitions version, for health checks and tests. */
  status(): { enginePid?: number; definitionsVersion?: string };
  /** Stops the engine. */
  close(): Promise<void>;
}

export function createScanner(deps: ScannerDeps): Scanner {
  const { config, s3 } = deps;
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const concurrency = deps.concurrency ?? SCANNER_SCANS_AT_ONCE;
  const serialAboveBytes = deps.serialAboveBytes ?? serialScanThresholdBytes(concurrency);
  const oneAtATime = serialized();
  // One limit for the whole scanner, so messages of a batch processed side by side share it.
  const slot = limited(concurrency);
  const workDir = join(config.workDir, "scanner");
  const cache = new DefinitionsCache({
    s3: deps.definitionsS3 ?? s3,
    at: { bucket: config.definitionsBucket, prefix: config.definitionsPrefix },
    rootDir: join(workDir, "defs"),
    intervalMs: config.definitionsCheckIntervalMs,
    now: deps.now ?? Date.now,
    log,
  });
  const engine = new ResidentEngine({
    tools: deps.tools ?? layerTools(config.layerRoot),
    workDir,
    maxObjectBytes: config.maxObjectBytes,
    maxScanTimeMs: engineMaxScanTimeMs(config.scanTimeoutMs),
    concurrentReload: config.concurrentReload,
    startTimeoutMs: config.engineStartTimeoutMs,
    log,
  });

  // One refresh at a time; callers arriving meanwhile share it.
  let preparing: Promise<string> | undefined;
  function refreshDefinitions(fresh = false): Promise<string> {
    // A fresh check must not share a refresh that may have answered from the cache: it waits for it.
    const running = preparing;
    if (fresh && running)
      return running.then(
        () => refreshDefinitions(true),
        () => refreshDefinitions(true),
      );
    preparing ??= (async () => {
      const { defs, changed } = await cache.latest({ fresh });
      await engine.use(defs);
      if (changed) await cache.retireAllBut(defs.version);
      return defs.version;
    })().finally(() => {
      preparing = undefined;
    });
    return preparing;
  }

  async function scanObjects(
    refs: readonly ObjectRef[],
    options: { freshDefinitions?: boolean } = {},
  ): Promise<ObjectResult[]> {
    const results = await scanWithoutEvents(refs, options.freshDefinitions ?? false);
    await publishEvents(results);
    return results;
  }

  /** Publishes the results' events; logs and counts what was lost, never throws. */
  async function publishEvents(results: readonly ObjectResult[]) {
    const sink = deps.events ?? noEvents;
    const at = new Date(deps.now?.() ?? Date.now());
    const events = results.flatMap((r): VerdictEvent[] => {
      const event = verdictEvent(r, at);
      return event ? [event] : [];
    });
    if (events.length === 0) return;
    try {
      await sink.publish(events);
    } catch (error) {
      const lost = error instanceof EventPublishError ? error.lost : events.length;
      log.error("verdict events not delivered", { lost, ...errorAttributes(error) });
      metrics.count("VerdictEventsLost", lost);
    }
  }

  async function scanWithoutEvents(refs: readonly ObjectRef[], fresh: boolean): Promise<ObjectResult[]> {
    let definitionsVersion: string;
    try {
      definitionsVersion = await refreshDefinitions(fresh);
    } catch (error) {
      log.error("engine or definitions not ready", errorAttributes(error));
      metrics.count("ScanFailures", refs.length);
      const e = error instanceof Error ? error : new Error(String(error));
      return refs.map((object) => ({ outcome: "failed", object, error: e, permanent: false }));
    }
    const ctx = { s3, engine, config, definitionsVersion, stampKey: cache.stampKey, log, metrics };
    return Promise.all(
      refs.map((ref) =>
        slot(() =>
          ref.size !== undefined && ref.size <= serialAboveBytes
            ? scanObject(ctx, ref)
            : oneAtATime(() => scanObject(ctx, ref)),
        ),
      ),
    );
  }

  async function handle(event: unknown): Promise<SQSBatchResponse | BatchOperationsResponse | ScanReport> {
    if (isBatchOperationsEvent(event)) {
      const invocation = parseBatchOperationsEvent(event);
      // A rescan job starts because new definitions were published: a warm environment that checked
      // the bucket within the last interval would otherwise skip every object as already current.
      const freshDefinitions = invocation.userArguments[BACKLOG_MODE_ARGUMENT] === BacklogKind.Rescan;
      return answerBatchInvocation(invocation, (refs) => scanObjects(refs, { freshDefinitions }), log);
    }
    if (isSqsEvent(event)) return handleMessages(event as SQSEvent);
    const refs = parseScannerEvent(event).flatMap((item) => item.objects);
    const results = await scanObjects(refs);
    // Only transient failures are retried; a permanent one is done (its object stays unreadable).
    const failures = results.flatMap((r) =>
      r.outcome === "failed" && !r.permanent
        ? [{ bucket: r.object.bucket, key: r.object.key, error: r.error }]
        : [],
    );
    if (failures.length > 0)
      throw new ScanFailedError(`${failures.length} of ${results.length} objects were not scanned`, failures);
    return { results };
  }

  /**
   * An SQS batch, message by message through Powertools' `processPartialResponse`: a message fails
   * (and is named in `batchItemFailures`) when it is not an S3 event or when any of its objects failed
   * transiently; a permanent failure is done on its first try. Messages run side by side, their scans
   * within the scanner's one concurrency limit; the verdict events of the whole batch go out in one
   * publish at the end, as for any other invocation.
   */
  async function handleMessages(event: SQSEvent): Promise<SQSBatchResponse> {
    const results: ObjectResult[] = [];
    const messages = retryingMessages(event);
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const [item] = parseScannerEvent({ Records: [record] });
        if (item?.error) {
          log.error("message is not an S3 event", {
            messageId: record.messageId,
            ...errorAttributes(item.error),
          });
          // Retrying it soon cannot help: the queue redelivers it after its visibility timeout.
          throw item.error;
        }
        const scanned = await scanWithoutEvents(item?.objects ?? [], false);
        results.push(...scanned);
        const failures = scanned.flatMap((r) =>
          r.outcome === "failed" && !r.permanent
            ? [{ bucket: r.object.bucket, key: r.object.key, error: r.error }]
            : [],
        );
        if (failures.length === 0) return;
        await backOff(messages.get(record.messageId));
        throw new ScanFailedError(
          `${failures.length} of ${scanned.length} objects were not scanned`,
          failures,
        );
      },
      new BatchProcessor(EventType.SQS),
      // A batch whose every message failed is answered like any other: the messages named, not an
      // exception (which would retry the whole batch without the back-off).
      { throwOnFullBatchFailure: false },
    );
    await publishEvents(results);
    // In the order of the batch, not the order the messages finished in.
    const order = new Map(event.Records.map((r, i) => [r.messageId, i]));
    const batchItemFailures = [...response.batchItemFailures].sort(
      (a, b) => (order.get(a.itemIdentifier) ?? 0) - (order.get(b.itemIdentifier) ?? 0),
    );
    return { batchItemFailures };
  }

  /**
   * Asks for a transiently failed message to come back after its back-off. A failure here only loses
   * the back-off: the message still comes back, after the queue's visibility timeout.
   */
  async function backOff(message: RetryingMessage | undefined) {
    const { delayRetry } = deps;
    if (!delayRetry || !message) return;
    const seconds = scanRetryDelaySeconds(message.receiveCount);
    try {
      await delayRetry(message, seconds);
      log.info("retry delayed", {
        messageId: message.messageId,
        receiveCount: message.receiveCount,
        seconds,
      });
    } catch (error) {
      log.warn("could not delay the retry; the queue's visibility timeout applies", {
        messageId: message.messageId,
        ...errorAttributes(error),
      });
    }
  }

  return {
    handle,
    scanObjects,
    refreshDefinitions,
    status: () => ({ enginePid: engine.pid, definitionsVersion: engine.activeVersion }),
    close: () => engine.stop(),
  };
}

/**
 * The largest object scanned beside others. `/tmp` holds the database, one object of
 * `maxObjectBytes` and `SCRATCH_DISK_MB` for clamd's unpacking (core/sizing): objects up to a
 * `concurrency`-th of half that scratch can run together without crowding out the unpacking; larger
 * ones take the room sized for one object, one at a time.
 */
export function serialScanThresholdBytes(concurrency: number): number {
  return Math.floor((SCRATCH_DISK_MB * 1024 * 1024) / 2 / Math.max(1, concurrency));
}

/** Runs the tasks given to it one after another, in the order given. */
function serialized(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Runs the tasks given to it at most `limit` at a time, in the order given. */
function limited(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((start) => waiting.push(start));
    else running += 1;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next task, or give it back.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
