/**
 * Verdict events: one event per verdict the scanner tags (and one per object it could not scan), so
 * that users can route results the way GuardDuty's findings and cdk-serverless-clamscan's
 * `onResult`/`onError` are routed. On AWS they go to EventBridge; local mode writes the same objects
 * to `.local/events.jsonl` and an optional HTTP endpoint. The schema is documented in handlers/README.md.
 */
import type { DefinitionsUpdatedEvent } from "./definitions-event";
import type { ObjectRef } from "./events";
import type { ActionRecord } from "./infected-actions";
import type { ScanStatus } from "./verdict";

/** The `source` of every event bucketwarden sends. */
export const EVENT_SOURCE = "bucketwarden";

/** The `detail-type`s: one for a verdict, one for an object left without one. */
export const EventDetailType = {
  /** The object got a verdict tag. */
  Scanned: "Object Scanned",
  /** The object got no verdict (it stays unreadable); `permanent` says whether a retry will come. */
  ScanFailed: "Object Scan Failed",
} as const;
export type EventDetailType = (typeof EventDetailType)[keyof typeof EventDetailType];

/** The most entries one EventBridge PutEvents call takes. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/** `detail` of an `Object Scanned` event. */
export interface ObjectScannedDetail {
  /** The upload bucket's name. */
  bucket: string;
  /** The object key, decoded. */
  key: string;
  /** The version scanned and tagged; absent for an unversioned bucket. */
  versionId?: string;
  /** The ETag of the content scanned, without quotes. */
  eTag: string;
  /** Bytes scanned (the object's size). */
  size: number;
  /**
   * What the scan found: `clean` (the only readable verdict), `infected` (a signature matched),
   * `limits-exceeded` (part of it was not scanned) or `unscannable` (the engine could not look in).
   */
  verdict: ScanStatus;
  /** Whether the verdict tag makes the object unreadable: true for every verdict but `clean`. */
  blocked: boolean;
  /** The signature or heuristic that fired, e.g. `Eicar-Signature`; absent when clean. */
  signature?: string;
  /** The version of the ClamAV definitions the scan used. */
  definitionsVersion: string;
  /** When the verdict was tagged, ISO 8601 UTC. */
  scannedAt: string;
  /**
   * The built-in actions taken on an infected object (core/infected-actions), in order: a
   * `quarantine` copy, then a `delete` of the infected version, each `done`, `failed` or `skipped`.
   * Empty when none is configured or the verdict is not `infected`.
   */
  actions: ActionRecord[];
}

/** `detail` of an `Object Scan Failed` event. */
export interface ObjectScanFailedDetail {
  bucket: string;
  key: string;
  /** The version the event named, if any. */
  versionId?: string;
  /** The error's name, e.g. `TagLimitError`. */
  error: string;
  /** The error's message. */
  message: string;
  /** No retry can change it: the object stays unreadable until someone acts. */
  permanent: boolean;
  /** When the scan gave up, ISO 8601 UTC. */
  failedAt: string;
}

/** One event, in EventBridge's terms; local mode writes the same object. */
export type VerdictEvent =
  | { source: typeof EVENT_SOURCE; detailType: typeof EventDetailType.Scanned; detail: ObjectScannedDetail }
  | {
      source: typeof EVENT_SOURCE;
      detailType: typeof EventDetailType.ScanFailed;
      detail: ObjectScanFailedDetail;
    };

/**
 * Every event bucketwarden sends: the scanner's verdict events and the updater's `Definitions Updated`
 * (core/definitions-event). The sinks take any of them.
 */
export type BucketwardenEvent = VerdictEvent | DefinitionsUpdatedEvent;

/** What the builder needs of a tagged result (handlers/scanner/results.ts's `TaggedResult`). */
export interface TaggedScan {
  outcome: "tagged";
  object: ObjectRef;
  versionId?: string;
  eTag: string;
  status: ScanStatus;
  signature?: string;
  definitionsVersion: string;
  bytes: number;
  /** The actions taken on it. @default none */
  actions?: readonly ActionRecord[];
}

/** What the builder needs of a failed result. */
export interface FailedScan {
  outcome: "failed";
  object: ObjectRef;
  error: Error;
  permanent: boolean;
}

/** A skipped object (already scanned, deleted, overwritten) gets no event: nothing new was decided. */
export interface SkippedScan {
  outcome: "skipped";
}

/**
 * The event for one object's result, or undefined for a skip. `at` is the time of the verdict.
 */
export function verdictEvent(
  result: TaggedScan | FailedScan | SkippedScan,
  at: Date,
): VerdictEvent | undefined {
  if (result.outcome === "skipped") return undefined;
  const { bucket, key } = result.object;
  if (result.outcome === "failed") {
    const versionId = result.object.versionId;
    return {
      source: EVENT_SOURCE,
      detailType: EventDetailType.ScanFailed,
      detail: {
        bucket,
        key,
        ...(versionId !== undefined ? { versionId } : {}),
        error: result.error.name,
        message: result.error.message,
        permanent: result.permanent,
        failedAt: at.toISOString(),
      },
    };
  }
  return {
    source: EVENT_SOURCE,
    detailType: EventDetailType.Scanned,
    detail: {
      bucket,
      key,
      ...(result.versionId !== undefined ? { versionId: result.versionId } : {}),
      eTag: result.eTag,
      size: result.bytes,
      verdict: result.status,
      blocked: result.status !== "clean",
      ...(result.signature !== undefined ? { signature: result.signature } : {}),
      definitionsVersion: result.definitionsVersion,
      scannedAt: at.toISOString(),
      actions: [...(result.actions ?? [])],
    },
  };
}

/** One PutEvents entry, field for field as EventBridge's `PutEventsRequestEntry` spells it. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  /** The bucket's ARN (the upload bucket's; the definitions bucket's for `Definitions Updated`), so rules can match on `resources`. */
  Resources: string[];
  Time: Date;
  /** Absent: the account's default bus. */
  EventBusName?: string;
}

/** The PutEvents entry for an event, on `busName` (a name or ARN) or the default bus. */
export function putEventsEntry(
  event: BucketwardenEvent,
  busName: string | undefined,
  partition = "aws",
): PutEventsEntry {
  const [at, bucket] =
    event.detailType === EventDetailType.Scanned
      ? [event.detail.scannedAt, event.detail.bucket]
      : event.detailType === EventDetailType.ScanFailed
        ? [event.detail.failedAt, event.detail.bucket]
        : [event.detail.publishedAt, event.detail.definitionsBucket];
  return {
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Resources: [`arn:${partition}:s3:::${bucket}`],
    Time: new Date(at),
    ...(busName !== undefined ? { EventBusName: busName } : {}),
  };
}

/** Splits items into groups of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size = PUT_EVENTS_MAX_ENTRIES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The ARN of an account's default event bus in a region, where events go when no bus is named. */
export function defaultEventBusArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:events:${region}:${accountId}:event-bus/default`;
}
