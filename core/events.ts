/**
 * The event shapes the scanner accepts, parsed in one place: S3 event notifications delivered to
 * Lambda directly, the same wrapped in SQS messages, and the Ceph RADOS Gateway's variant that local
 * mode receives.
 */
import { EventParseError } from "./errors";

/** One object to scan, as named by an event. */
export interface ObjectRef {
  bucket: string;
  /**
   * The key, decoded. AWS encodes it in events like a form (spaces as `+`, the rest percent-encoded);
   * Ceph RGW (16.2) sends it as is, so `eventSource: "ceph:s3"` records are taken verbatim.
   */
  key: string;
  /** The version the event is about, when the bucket is versioned. */
  versionId?: string;
  /** Size in bytes as the event reported it. */
  size?: number;
  /** ETag as the event reported it, without quotes. */
  eTag?: string;
  /** Event name, e.g. `ObjectCreated:Put`. */
  eventName?: string;
}

/** One unit of work: the records of one SQS message, or of one direct invocation. */
export interface WorkItem {
  /** The SQS message id, for `batchItemFailures`; absent for direct invocations. */
  messageId?: string;
  objects: ObjectRef[];
}

/** Decodes a key as S3 encodes it in event notifications. */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch (cause) {
    throw new EventParseError(`object key "${encoded}" is not valid percent-encoding`, { cause });
  }
}

/** Strips the quotes S3 puts around ETags. */
export function unquoteETag(eTag: string): string {
  return eTag.replace(/^"|"$/g, "");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * The `eventSource` of Ceph RGW's notifications. Measured on 16.2: the key `a b+c%d.txt` arrives as
 * `a b+c%d.txt`, not encoded, so decoding it would name another object (or fail on `%d.`).
 */
export const CEPH_EVENT_SOURCE = "ceph:s3";

/** Objects named by the `Records` of an S3 event (AWS or Ceph); records other than created or tagged are ignored. */
export function parseS3Records(records: unknown): ObjectRef[] {
  if (!Array.isArray(records)) throw new EventParseError("event has no Records array");
  const refs: ObjectRef[] = [];
  for (const [i, r] of records.entries()) {
    if (!isRecord(r) || !isRecord(r.s3)) throw new EventParseError(`record ${i} has no s3 section`);
    const eventName = str(r.eventName) ?? "";
    // Ceph names them without the leading "s3:", AWS with none either. A tag write or delete asks for
    // a rescan (core/notifications' RESCAN_EVENTS); the scanner skips its own by their stamp.
    if (!/^(ObjectCreated|ObjectTagging):/.test(eventName.replace(/^s3:/, ""))) continue;
    const s3 = r.s3;
    const bucket = isRecord(s3.bucket) ? str(s3.bucket.name) : undefined;
    const object = isRecord(s3.object) ? s3.object : undefined;
    const rawKey = object ? object.key : undefined;
    if (!bucket) throw new EventParseError(`record ${i} has no bucket name`);
    if (typeof rawKey !== "string" || rawKey === "")
      throw new EventParseError(`record ${i} has no object key`);
    const size = object?.size;
    const eTag = str(object?.eTag) ?? str(object?.etag);
    refs.push({
      bucket,
      key: r.eventSource === CEPH_EVENT_SOURCE ? rawKey : decodeS3Key(rawKey),
      versionId: str(object?.versionId) ?? str(object?.version),
      size:
        typeof size === "number"
          ? size
          : typeof size === "string" && /^\d+$/.test(size)
            ? Number(size)
            : undefined,
      eTag: eTag ? unquoteETag(eTag) : undefined,
      eventName: eventName.replace(/^s3:/, ""),
    });
  }
  return refs;
}

/** Whether `event` is an SQS batch: records, every one from `aws:sqs`. */
export function isSqsEvent(event: unknown): boolean {
  const records = isRecord(event) ? event.Records : undefined;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((r) => isRecord(r) && r.eventSource === "aws:sqs")
  );
}

/**
 * Parses whatever Lambda (or local mode's runner) handed the scanner into work items. An SQS batch
 * gives one item per message so that one bad message fails alone. S3's `s3:TestEvent` gives none.
 * A message whose body cannot be parsed is returned with the error, not thrown, so the rest of the
 * batch still runs.
 */
export function parseScannerEvent(event: unknown): Array<WorkItem & { error?: EventParseError }> {
  if (!isRecord(event)) throw new EventParseError("event is not an object");
  const records = event.Records;
  if (!Array.isArray(records)) {
    if (event.Event === "s3:TestEvent") return [];
    throw new EventParseError("event has no Records array");
  }
  if (!isSqsEvent(event)) return [{ objects: parseS3Records(records) }];
  return records.map((r) => {
    const messageId = String((r as Record<string, unknown>).messageId ?? "");
    try {
      return { messageId, objects: parseSqsBody((r as Record<string, unknown>).body) };
    } catch (e) {
      const error = e instanceof EventParseError ? e : new EventParseError(String(e), { cause: e });
      return { messageId, objects: [], error };
    }
  });
}

function parseSqsBody(body: unknown): ObjectRef[] {
  if (typeof body !== "string") throw new EventParseError("SQS message has no body");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new EventParseError("SQS message body is not JSON", { cause });
  }
  if (!isRecord(parsed)) throw new EventParseError("SQS message body is not an object");
  if (parsed.Event === "s3:TestEvent") return [];
  // S3 -> SNS -> SQS without raw delivery wraps the S3 event once more.
  if (parsed.Type === "Notification" && typeof parsed.Message === "string")
    return parseSqsBody(parsed.Message);
  return parseS3Records(parsed.Records);
}
