/**
 * What the `bucketwarden` command needs from where the pipeline runs: AWS (S3 Batch Operations jobs,
 * read from the stack's outputs) or local mode (the same batch entry point run over a listing in local
 * execution environments). The commands, the progress display and the summary are written once
 * against this interface; each backend implements it.
 */
import type { BacklogCounts } from "../core/backlog-report";

/** A backlog run: scan every object that has no verdict, or rescan objects scanned before. */
export interface BacklogRequest {
  kind: "scan-existing" | "rescan";
  bucket: string;
  /** rescan only: objects scanned (or created) within this many milliseconds before now. */
  sinceMs?: number;
}

/** A started (or resumed) run, enough to follow it again after an interruption. */
export interface BacklogJob {
  /** The Batch Operations job id on AWS; the local run's id in local mode. */
  id: string;
  request: BacklogRequest;
  /** True when an unfinished run for the same request was found and is being followed again. */
  resumed: boolean;
}

/** Where a run stands, as often as the backend can tell. */
export interface BacklogProgress {
  /** Objects the run will process; undefined until known (a generated manifest is still being built). */
  total: number | undefined;
  /** Objects processed so far (succeeded + failed). */
  processed: number;
  failed: number;
  /** The backend's own status word (Batch Operations: New, Preparing, Active, Complete, ...). */
  status: string;
}

/** How a finished run ended: its counts (core/backlog-report reads them from a report), and where the report is. */
export interface BacklogSummary extends BacklogCounts {
  /** Where the completion report is: an s3:// URI on AWS, a file path in local mode. */
  report: string;
}

/** What `status <bucket>` prints. */
export interface BucketStatus {
  bucket: string;
  /** Object versions by verdict: clean, infected, unscannable, pending (marked at adoption), none. */
  counts: Record<string, number>;
  /** The definitions version the scanners use now. */
  definitionsVersion: string | undefined;
  /** Unfinished backlog runs for this bucket. */
  backlog: BacklogProgress[];
}

/** One place the pipeline runs. */
export interface Backend {
  /** Starts a run, or finds the unfinished one for the same request and returns it with `resumed`. */
  start(request: BacklogRequest): Promise<BacklogJob>;
  /** Follows a run until it ends, reporting progress; stops following (the run goes on) when `signal` aborts. */
  follow(
    job: BacklogJob,
    onProgress: (p: BacklogProgress) => void,
    signal: AbortSignal,
  ): Promise<BacklogSummary>;
  status(bucket: string): Promise<BucketStatus>;
}
