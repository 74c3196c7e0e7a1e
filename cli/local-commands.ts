/**
 * The commands only local mode has (`protect --local`, `update --local`), beside the shared
 * {@link Backend}. The local backend (local/cli-backend.ts) implements both.
 */
import type { Backend, BacklogJob } from "./backend";

/** What adopting a bucket did, in the order it did it. */
export interface ProtectResult {
  bucket: string;
  /** One line per step (grant and notifications, mark, rule, backlog scan). */
  steps: string[];
  /** The backlog scan started last; followed like `scan-existing`. */
  job: BacklogJob;
}

/** What one updater run did. */
export interface UpdateResult {
  /** The updater's own status word (`updated`, `unchanged`, ...). */
  status: string;
  previousVersion?: string;
  version?: string;
  /** Signatures the new definitions add; 0 when none (or the updater could not tell). */
  signaturesAdded: number;
  /** Rescans started because signatures were added, one per protected bucket. */
  rescans: BacklogJob[];
}

export interface LocalBackend extends Backend {
  protect(bucket: string, strict: boolean): Promise<ProtectResult>;
  update(): Promise<UpdateResult>;
}
