/** What the scanner reports for each object. */
import type { ObjectRef } from "../../core/events";
import type { ActionRecord } from "../../core/infected-actions";
import type { ScanStatus } from "../../core/verdict";

/** Milliseconds spent in each step of one object. */
export interface Durations {
  /**
   * Metadata: the wait for GetObjectTagging once the GET has answered (near 0 when the event names
   * the version, since both run at once). The name stays for the log line's readers; there is no
   * HeadObject before the GET any more.
   */
  headMs: number;
  /** GetObject until its answer (version, ETag, size) and the body start. */
  getMs: number;
  /** Streaming the body through the engine until its verdict. */
  scanMs: number;
  /** The overwrite re-check (unversioned buckets) and PutObjectTagging. */
  tagMs: number;
}

/** The object got a verdict tag. */
export interface TaggedResult {
  outcome: "tagged";
  object: ObjectRef;
  versionId?: string;
  eTag: string;
  /** The verdict tag's meaning: only `clean` makes the object readable. */
  verdict: "clean" | "infected";
  status: ScanStatus;
  signature?: string;
  definitionsVersion: string;
  bytes: number;
  durations: Durations;
  /** The built-in actions taken on an infected object (quarantine, delete); empty otherwise. */
  actions: ActionRecord[];
}

/** Why an object needed no verdict from this scan. */
export const SkipReason = {
  /** The same content was already scanned with the same definitions. */
  AlreadyScanned: "already-scanned",
  /** The object or version is gone. */
  Deleted: "deleted",
  /** An unversioned object was overwritten; the new content has its own event. */
  Overwritten: "overwritten",
  /**
   * The marker's own tag write on a version an adopted bucket held before: the backlog scan (Batch
   * Operations, or local mode's batch runner) gives it its verdict, not one event per marked version.
   */
  PreExisting: "pre-existing",
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

export interface SkippedResult {
  outcome: "skipped";
  object: ObjectRef;
  reason: SkipReason;
  /**
   * With `already-scanned`: the status of the verdict kept (`clean`, `infected`, ...), read from the
   * stamped result tag, so a backlog report counts kept verdicts like new ones.
   */
  keptStatus?: string;
}

/** The object got no verdict, so it stays unreadable. */
export interface FailedResult {
  outcome: "failed";
  object: ObjectRef;
  error: Error;
  /**
   * No retry can change it (the 10-tag limit): its event is done on this first try. Otherwise the
   * event is retried after a back-off.
   */
  permanent: boolean;
}

export type ObjectResult = TaggedResult | SkippedResult | FailedResult;
