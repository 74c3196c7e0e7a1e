/**
 * From the engine's answer to the tags an object gets. Pure: the clamd reply or clamscan exit code
 * comes in, a {@link ScanOutcome} and the merged tag set go out. Anything not understood is an error,
 * never a clean verdict.
 */
import { EngineError, TagLimitError } from "./errors";
import { type StampSubject, stampValue, verifyStamp } from "./stamp";
import { isScannerTagKey, MAX_OBJECT_TAGS, scannerTagKeys, type Tag, type TagSchema } from "./tags";
import { isUnscannableSignature } from "./unscannable";

/** What a scan found. */
export const ScanStatus = {
  /** Scanned completely, nothing found. */
  Clean: "clean",
  /** A signature matched. */
  Infected: "infected",
  /** The object is over a size or recursion limit, so part of it was not scanned. Never clean. */
  LimitsExceeded: "limits-exceeded",
  /** The engine could not look inside (an encrypted archive, say). Never clean. */
  Unscannable: "unscannable",
} as const;
export type ScanStatus = (typeof ScanStatus)[keyof typeof ScanStatus];

export interface ScanOutcome {
  status: ScanStatus;
  /** The signature or heuristic that fired, e.g. `Eicar-Signature.UNOFFICIAL`. */
  signature?: string;
}

/** Statuses that make an object readable. Only one. */
export function isCleanStatus(status: ScanStatus): boolean {
  return status === ScanStatus.Clean;
}

/**
 * Maps a detection name to a status: ClamAV reports limits and encryption as heuristic "detections",
 * and the scanner's own database (core/unscannable) reports what the engine cannot look inside.
 */
export function statusOfSignature(signature: string): ScanStatus {
  if (signature.startsWith("Heuristics.Limits.Exceeded")) return ScanStatus.LimitsExceeded;
  if (signature.startsWith("Heuristics.Encrypted")) return ScanStatus.Unscannable;
  if (isUnscannableSignature(signature)) return ScanStatus.Unscannable;
  return ScanStatus.Infected;
}

/**
 * Parses clamd's reply to one `zINSTREAM` (or `zSCAN`) command: `stream: OK`,
 * `stream: <Name> FOUND`, or an error such as `INSTREAM size limit exceeded. ERROR`.
 */
export function parseClamdReply(raw: string): ScanOutcome {
  const reply = raw.replace(/\0/g, "").trim();
  // "<path>: OK" / "<path>: <Signature> FOUND"; ClamAV signature names never contain spaces.
  if (/^[^:]+: OK$/.test(reply)) return { status: ScanStatus.Clean };
  const found = /^[^:]+: (\S+) FOUND$/.exec(reply);
  if (found) return { status: statusOfSignature(found[1]), signature: found[1] };
  if (/size limit exceeded/i.test(reply)) {
    return { status: ScanStatus.LimitsExceeded, signature: "INSTREAM.SizeLimitExceeded" };
  }
  throw new EngineError(`clamd answered something that is not a verdict: "${reply}"`, reply);
}

/** Maps a `clamscan` run: exit 0 clean, 1 found (signature from its output), anything else an error. */
export function parseClamscanResult(exitCode: number | null, stdout: string): ScanOutcome {
  if (exitCode === 0) return { status: ScanStatus.Clean };
  if (exitCode === 1) {
    const m = /: (.+) FOUND$/m.exec(stdout);
    if (!m) throw new EngineError("clamscan exited 1 but reported no signature", stdout);
    return { status: statusOfSignature(m[1]), signature: m[1] };
  }
  throw new EngineError(`clamscan failed with exit code ${exitCode}`, stdout);
}

/** A tag value made safe for S3 (signature names are, but a future engine's may not be). */
export function tagSafe(value: string): string {
  return value.replace(/[^\p{L}\p{N}\p{Z}+\-=._:/@]/gu, "_").slice(0, 256);
}

/** The `ScanResult` tag's value: the status, and the signature when there is one. */
export function resultTagValue(outcome: ScanOutcome): string {
  return tagSafe(outcome.signature ? `${outcome.status}:${outcome.signature}` : outcome.status);
}

/** What the tags an object arrives with say about an earlier scan. */
export const PriorScan = {
  /** No verdict tags: a first scan. */
  None: "none",
  /** The scanner's own verdict, stamped with the current definitions: nothing to do. */
  Current: "current",
  /** The scanner's own verdict, stamped with older definitions: scan again. */
  Older: "older",
  /** A verdict without a stamp where the stamp had no room (many user tags): scan again. */
  Unstamped: "unstamped",
  /**
   * The marker's pending mark on a version the bucket held before adoption (stamped, or bare where the
   * stamp had no room): no verdict yet, scan it like a first scan.
   */
  Pending: "pending",
  /** Verdict tags the scanner did not write: scan again, and report a forgery attempt. */
  Forged: "forged",
} as const;
export type PriorScan = (typeof PriorScan)[keyof typeof PriorScan];

/** The object the tags belong to, as the stamp binds it. */
export type StampedObject = Pick<StampSubject, "bucket" | "key" | "versionId" | "eTag">;

export interface ArrivingTags {
  prior: PriorScan;
  /** The definitions version of a valid stamp. */
  stampedWith?: string;
  /** User tags whose keys equal a scanner key in another letter case: reserved, dropped on tagging. */
  reserved: Tag[];
}

/**
 * Classifies the tags an object arrives with. Only a stamp that verifies under `secret` for exactly
 * this object, content and verdict makes a verdict the scanner's own; anything else carrying the
 * scanner's keys is a forgery, except a bare verdict on an object whose own tags left the stamp no
 * room (see {@link mergeVerdictTags}), which is rescanned without an alarm.
 */
export function inspectArrivingTags(
  tags: readonly Tag[],
  schema: TagSchema,
  secret: Buffer,
  object: StampedObject,
  definitionsVersion: string,
): ArrivingTags {
  const ours = new Set(scannerTagKeys(schema));
  const reserved = tags.filter((t) => !ours.has(t.Key) && isScannerTagKey(t.Key, schema));
  const value = (k: string) => tags.find((t) => t.Key === k)?.Value;
  if (!tags.some((t) => ours.has(t.Key))) return { prior: PriorScan.None, reserved };
  const verdict = value(schema.key);
  const result = value(schema.resultKey);
  const stamp = value(schema.stampKey);
  const known = verdict === schema.cleanValue || verdict === schema.infectedValue;
  if (known && verdict !== undefined && result !== undefined && stamp !== undefined) {
    const stampedWith = verifyStamp(secret, stamp, { ...object, verdict, result });
    if (stampedWith !== undefined)
      return {
        prior: stampedWith === definitionsVersion ? PriorScan.Current : PriorScan.Older,
        stampedWith,
        reserved,
      };
  }
  const userTags = tags.filter((t) => !isScannerTagKey(t.Key, schema)).length;
  const stampHadNoRoom = userTags > MAX_OBJECT_TAGS - 3;
  if (verdict === schema.pendingValue) {
    const stamped =
      result !== undefined &&
      stamp !== undefined &&
      verifyStamp(secret, stamp, { ...object, verdict, result }) !== undefined;
    if (stamped || (stamp === undefined && stampHadNoRoom)) return { prior: PriorScan.Pending, reserved };
    return { prior: PriorScan.Forged, reserved };
  }
  if (known && stamp === undefined && stampHadNoRoom) return { prior: PriorScan.Unstamped, reserved };
  return { prior: PriorScan.Forged, reserved };
}

/** Signs a verdict: the stamp tag's value for a verdict and a result tag value. */
export type VerdictSigner = (verdict: string, result: string) => string;

/** A {@link VerdictSigner} for one object scanned with one definitions version. */
export function verdictSigner(
  secret: Buffer,
  object: StampedObject,
  definitionsVersion: string,
): VerdictSigner {
  return (verdict, result) => stampValue(secret, { ...object, definitionsVersion, verdict, result });
}

export interface MergedTags {
  tags: Tag[];
  /** The user's tags that had to go to make room for an infected verdict. */
  droppedUserTags: Tag[];
  /** User tags dropped because their keys equal a scanner key in another letter case. */
  droppedReservedTags: Tag[];
  /** Scanner detail tags left out for lack of room. */
  omittedDetailKeys: string[];
}

/**
 * The object's new tag set: the user's own tags kept, the scanner's replaced, and user tags whose keys
 * equal a scanner key in another letter case dropped (they are reserved). S3 allows ten tags.
 * When there is no room, the detail tags (stamp, then result) go first. The verdict itself always
 * gets a place when it blocks reads (an infected object must never stay readable for lack of room,
 * so the last user tags make way); a clean verdict that does not fit is a {@link TagLimitError}, and
 * the object stays unreadable under fail-closed.
 */
export function mergeVerdictTags(
  existing: readonly Tag[],
  outcome: ScanOutcome,
  schema: TagSchema,
  sign: VerdictSigner,
): MergedTags {
  const ours = new Set(scannerTagKeys(schema));
  const user = existing.filter((t) => !isScannerTagKey(t.Key, schema));
  const droppedReservedTags = existing.filter((t) => !ours.has(t.Key) && isScannerTagKey(t.Key, schema));
  const verdict: Tag = {
    Key: schema.key,
    Value: isCleanStatus(outcome.status) ? schema.cleanValue : schema.infectedValue,
  };
  const result = resultTagValue(outcome);
  const details: Tag[] = [
    { Key: schema.resultKey, Value: result },
    { Key: schema.stampKey, Value: sign(verdict.Value, result) },
  ];
  const room = MAX_OBJECT_TAGS - user.length;
  if (room >= 1) {
    const kept = details.slice(0, room - 1);
    return {
      tags: [...user, verdict, ...kept],
      droppedUserTags: [],
      droppedReservedTags,
      omittedDetailKeys: details.slice(kept.length).map((t) => t.Key),
    };
  }
  if (isCleanStatus(outcome.status)) {
    throw new TagLimitError(
      `object already has ${user.length} tags of its own; S3 allows ${MAX_OBJECT_TAGS}, so the clean verdict cannot be added`,
      user.length,
    );
  }
  const keep = user.slice(0, MAX_OBJECT_TAGS - 1);
  return {
    tags: [...keep, verdict],
    droppedUserTags: user.slice(keep.length),
    droppedReservedTags,
    omittedDetailKeys: details.map((t) => t.Key),
  };
}
