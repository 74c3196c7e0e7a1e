/**
 * The marker's decision for one object version of a bucket being adopted: what its tags become,
 * given whether its verdict is the scanner's own (stamp verified) and the adoption mode. Pure; the
 * edge (handlers/scanner/marker.ts) lists versions, reads their tags and writes what this returns.
 *
 * - A version with a stamp-verified verdict is left alone, in both modes.
 * - `readable-until-scanned`: every other version gets the pending mark (`Infected=pending`, with a
 *   result tag and a stamp when there is room), merged with the user's own tags; a verdict without a
 *   valid stamp (forged before adoption) is replaced by the mark. A version already carrying a valid
 *   mark is left alone, so a second run writes nothing.
 * - `strict`: no mark; every scanner key without a verified verdict (a forged verdict, a mark from an
 *   earlier non-strict adoption) is removed, so nothing unverified survives adoption.
 */
import { EventParseError } from "./errors";
import { type PreExistingObjectMode, PreExistingObjectModes } from "./rescan-window";
import { stampValue } from "./stamp";
import { isScannerTagKey, MAX_OBJECT_TAGS, type Tag, type TagSchema } from "./tags";
import { inspectArrivingTags, PriorScan, type StampedObject } from "./verdict";

/**
 * The definitions version a pending mark's stamp names: the mark is not a scan, so it names none. Its
 * MAC still binds bucket, key, version and ETag, so a mark copied to another object does not verify.
 */
export const PENDING_STAMP_VERSION = "pre-existing";

/** What the marker does with one version. */
export const MarkAction = {
  /** A stamp-verified verdict: nothing to do. */
  KeepVerdict: "keep-verdict",
  /** Already carries a valid pending mark (non-strict): nothing to do. */
  AlreadyMarked: "already-marked",
  /** Write the pending mark beside the user's tags. */
  Mark: "mark",
  /** Write the user's tags without the unverified scanner keys (strict). */
  Strip: "strip",
  /** Nothing of the scanner's and strict: nothing to do. */
  Untouched: "untouched",
  /** Ten tags of the user's own: no room for the mark; the version stays unreadable until scanned. */
  NoRoom: "no-room",
} as const;
export type MarkAction = (typeof MarkAction)[keyof typeof MarkAction];

export interface MarkDecision {
  action: MarkAction;
  /** The tag set to write, for `mark` and `strip`. */
  tags?: Tag[];
  /** True when the version arrived with scanner keys the scanner cannot vouch for (a forgery). */
  forged: boolean;
}

/** The pending mark's tags for `object`: verdict, then result and stamp while there is room. */
export function pendingMarkTags(
  userTags: number,
  schema: TagSchema,
  secret: Buffer,
  object: StampedObject,
): Tag[] {
  const verdict = schema.pendingValue;
  const result = schema.pendingValue;
  const tags: Tag[] = [
    { Key: schema.key, Value: verdict },
    { Key: schema.resultKey, Value: result },
    {
      Key: schema.stampKey,
      Value: stampValue(secret, { ...object, definitionsVersion: PENDING_STAMP_VERSION, verdict, result }),
    },
  ];
  // The bare mark is recognised only when the stamp had no room (core/verdict's Pending): never
  // write a verdict and result without the stamp.
  return MAX_OBJECT_TAGS - userTags >= 3 ? tags : tags.slice(0, MAX_OBJECT_TAGS - userTags >= 1 ? 1 : 0);
}

/** Decides what the marker does with one version whose tags are `tags`. */
export function markDecision(
  tags: readonly Tag[],
  schema: TagSchema,
  secret: Buffer,
  object: StampedObject,
  mode: PreExistingObjectMode,
): MarkDecision {
  // The definitions version only tells current from older verdicts, which the marker treats alike.
  const prior = inspectArrivingTags(tags, schema, secret, object, "").prior;
  if (prior === PriorScan.Current || prior === PriorScan.Older)
    return { action: MarkAction.KeepVerdict, forged: false };
  const user = tags.filter((t) => !isScannerTagKey(t.Key, schema));
  const hasScannerKeys = user.length !== tags.length;
  // An unstamped verdict (no room for the stamp) is unverifiable, not proven forged: replaced all the same.
  const forged = prior === PriorScan.Forged;
  if (mode === "strict")
    return hasScannerKeys
      ? { action: MarkAction.Strip, tags: user, forged }
      : { action: MarkAction.Untouched, forged: false };
  if (prior === PriorScan.Pending) return { action: MarkAction.AlreadyMarked, forged: false };
  const mark = pendingMarkTags(user.length, schema, secret, object);
  if (mark.length === 0)
    // Only possible without scanner keys (ten user tags leave no room for any): nothing to strip.
    return { action: MarkAction.NoRoom, forged };
  return { action: MarkAction.Mark, tags: [...user, ...mark], forged };
}

/** The value of an event's `bucketwarden` field that asks the scanner to mark pre-existing versions. */
export const MARK_PRE_EXISTING = "mark-pre-existing";

/** Where a listing of versions resumes (ListObjectVersions' markers). */
export interface MarkContinuation {
  keyMarker: string;
  versionIdMarker?: string;
}

/**
 * The marker's event: `{"bucketwarden": "mark-pre-existing", "bucket": ..., "mode": ...}`, with an
 * optional `prefix`, the `continuation` a previous run returned, and `pageSize` (versions listed per
 * request, at most 1000).
 */
export interface MarkRequest {
  bucket: string;
  mode: PreExistingObjectMode;
  prefix?: string;
  continuation?: MarkContinuation;
  pageSize: number;
}

/** What one run did, per action, and where the next run resumes (`done` false). */
export interface MarkReport {
  bucketwarden: typeof MARK_PRE_EXISTING;
  bucket: string;
  mode: PreExistingObjectMode;
  done: boolean;
  continuation?: MarkContinuation;
  counts: MarkCounts;
}

export interface MarkCounts {
  /** Object versions looked at (delete markers not counted). */
  versions: number;
  marked: number;
  stripped: number;
  keptVerdicts: number;
  alreadyMarked: number;
  untouched: number;
  noRoom: number;
  /** Versions that arrived with verdict keys the scanner cannot vouch for. */
  forged: number;
  /** Versions deleted, or unversioned objects overwritten, while the marker ran. */
  changed: number;
  deleteMarkers: number;
}

export function emptyMarkCounts(): MarkCounts {
  return {
    versions: 0,
    marked: 0,
    stripped: 0,
    keptVerdicts: 0,
    alreadyMarked: 0,
    untouched: 0,
    noRoom: 0,
    forged: 0,
    changed: 0,
    deleteMarkers: 0,
  };
}

/** The count an action adds to. */
export const ACTION_COUNT: Record<MarkAction, keyof MarkCounts> = {
  [MarkAction.KeepVerdict]: "keptVerdicts",
  [MarkAction.AlreadyMarked]: "alreadyMarked",
  [MarkAction.Mark]: "marked",
  [MarkAction.Strip]: "stripped",
  [MarkAction.Untouched]: "untouched",
  [MarkAction.NoRoom]: "noRoom",
};

/** True when `event` asks for the marker (its `bucketwarden` field says so). */
export function isMarkRequest(event: unknown): boolean {
  return (
    typeof event === "object" &&
    event !== null &&
    (event as Record<string, unknown>).bucketwarden === MARK_PRE_EXISTING
  );
}

/** Reads a marker event; throws {@link EventParseError} saying what is wrong. */
export function parseMarkRequest(event: unknown): MarkRequest {
  if (!isMarkRequest(event)) throw new EventParseError(`not a ${MARK_PRE_EXISTING} event`);
  const e = event as Record<string, unknown>;
  if (typeof e.bucket !== "string" || e.bucket === "")
    throw new EventParseError(`${MARK_PRE_EXISTING}: "bucket" must name the bucket`);
  const mode = e.mode ?? "readable-until-scanned";
  if (!(PreExistingObjectModes as readonly unknown[]).includes(mode))
    throw new EventParseError(
      `${MARK_PRE_EXISTING}: "mode" must be one of ${PreExistingObjectModes.join(", ")}, got ${JSON.stringify(mode)}`,
    );
  if (e.prefix !== undefined && typeof e.prefix !== "string")
    throw new EventParseError(`${MARK_PRE_EXISTING}: "prefix" must be a string`);
  const pageSize = e.pageSize ?? 1000;
  if (typeof pageSize !== "number" || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
    throw new EventParseError(`${MARK_PRE_EXISTING}: "pageSize" must be a whole number from 1 to 1000`);
  const c = e.continuation as Record<string, unknown> | undefined | null;
  if (c !== undefined && c !== null && (typeof c !== "object" || typeof c.keyMarker !== "string"))
    throw new EventParseError(`${MARK_PRE_EXISTING}: "continuation" must be what a previous run returned`);
  return {
    bucket: e.bucket,
    mode: mode as PreExistingObjectMode,
    ...(typeof e.prefix === "string" && { prefix: e.prefix }),
    ...(c && {
      continuation: {
        keyMarker: c.keyMarker as string,
        ...(typeof c.versionIdMarker === "string" && { versionIdMarker: c.versionIdMarker }),
      },
    }),
    pageSize,
  };
}
