/**
 * A finished backlog job's completion report, read into verdict counts: where its top-level file is,
 * the result CSVs it lists, and what each task's result string says. Pure: cli/aws fetches the files.
 *
 * S3 User Guide, "Examples: S3 Batch Operations completion reports"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-reports.html, read
 * 2026-11-26): the report's `manifest.json` lists result CSVs whose columns are
 * `Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage`; for a Lambda task
 * `ResultMessage` is the function's `resultString` (handlers/scanner/batch-operations' `taskOutcome`).
 */
import { withoutTrailingSlash } from "./backlog-job";
import { BucketwardenError } from "./errors";

/**
 * Keys the completion report's top-level file may have: S3's examples name it `manifest.json`, the
 * API reference (`JobReport.Prefix`) `report.json`; a reader tries both, in this order.
 */
export function completionReportKeys(reportPrefix: string, jobId: string): string[] {
  const base = withoutTrailingSlash(reportPrefix);
  const folder = base ? `${base}/job-${jobId}` : `job-${jobId}`;
  return [`${folder}/manifest.json`, `${folder}/report.json`];
}

/** One result file the completion report's top-level file lists. */
export interface ReportResultFile {
  bucket: string;
  key: string;
  /** `succeeded` or `failed`: which tasks the file lists. */
  taskExecutionStatus: string;
}

/** A completion report's top-level file could not be read. */
export class CompletionReportError extends BucketwardenError {}

/** Reads the completion report's top-level JSON: the result CSVs it lists. */
export function parseCompletionReportManifest(text: string): ReportResultFile[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CompletionReportError("the completion report's manifest is not JSON", { cause });
  }
  const results = (parsed as { Results?: unknown })?.Results;
  if (!Array.isArray(results))
    throw new CompletionReportError("the completion report's manifest has no Results");
  return results.map((r, i) => {
    const { Bucket, Key, TaskExecutionStatus } = (r ?? {}) as Record<string, unknown>;
    if (typeof Bucket !== "string" || typeof Key !== "string")
      throw new CompletionReportError(`the completion report's result ${i} names no Bucket and Key`);
    return { bucket: Bucket, key: Key, taskExecutionStatus: String(TaskExecutionStatus ?? "") };
  });
}

/** One row of a result CSV. */
export interface ReportRow {
  bucket: string;
  key: string;
  versionId: string;
  /** `succeeded` or `failed`. */
  taskStatus: string;
  /** For a Lambda task: the scanner's `resultString` (or Batch Operations' error text). */
  resultMessage: string;
}

/** Splits CSV text into records (RFC 4180: quoted fields may hold commas, doubled quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

/**
 * Reads a result CSV (`Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage`,
 * no header). The result message is the last column: AWS's own failed-task example orders the two
 * code columns differently from the schema it states, so only the first four and the last are read.
 */
export function parseReportRows(csv: string): ReportRow[] {
  return parseCsv(csv).map((fields, i) => {
    if (fields.length < 5)
      throw new CompletionReportError(`completion report row ${i + 1} has ${fields.length} columns, not 7`);
    return {
      bucket: fields[0] as string,
      key: fields[1] as string,
      versionId: fields[2] as string,
      taskStatus: (fields[3] as string).toLowerCase(),
      resultMessage: fields[fields.length - 1] as string,
    };
  });
}

/** A finished job's counts (cli/backend's `BacklogSummary` adds where the report is). */
export interface BacklogCounts {
  /** Tasks that succeeded: a verdict written, or one already there from the current definitions. */
  scanned: number;
  clean: number;
  infected: number;
  /** Unscannable or over a limit: never clean, and not known malware. */
  unscannable: number;
  /** Tasks that failed: the object has no verdict from this job. */
  failed: number;
  /** Succeeded because the object's stamped verdict already named the current definitions. */
  alreadyScanned: number;
}

/** Counts with nothing in them. */
export function emptyCounts(): BacklogCounts {
  return { scanned: 0, clean: 0, infected: 0, unscannable: 0, failed: 0, alreadyScanned: 0 };
}

/** The verdicts a backlog run counts. */
export type BacklogVerdict = "clean" | "infected" | "unscannable";

/** The verdict a status word names (handlers/scanner's `resultString` uses core/verdict's ScanStatus). */
function statusVerdict(status: string | undefined): BacklogVerdict | undefined {
  if (status === "clean") return "clean";
  if (status === "infected") return "infected";
  if (status === "unscannable" || status === "limits-exceeded") return "unscannable";
  return undefined;
}

/**
 * What a succeeded task's result string says: the scanner's `clean`, `<status>:<signature>`
 * (`infected:Eicar-Signature`), or `skipped:already-scanned:<status>` for a verdict kept from the
 * current definitions (older scanners wrote no status). `kept` tells a kept verdict from a new one.
 */
export function resultVerdict(resultString: string): { verdict: BacklogVerdict | undefined; kept: boolean } {
  const [head, ...rest] = resultString.trim().split(":");
  if (head === "skipped") return { verdict: statusVerdict(rest[1]), kept: rest[0] === "already-scanned" };
  return { verdict: statusVerdict(head), kept: false };
}

/**
 * Adds one task to the counts. Anything but a verdict written or kept the scanner answers
 * `PermanentFailure` or `TemporaryFailure`, which S3 reports as a failed task.
 */
export function addReportRow(
  counts: BacklogCounts,
  row: Pick<ReportRow, "taskStatus" | "resultMessage">,
): void {
  if (row.taskStatus !== "succeeded") {
    counts.failed++;
    return;
  }
  counts.scanned++;
  const { verdict, kept } = resultVerdict(row.resultMessage);
  if (kept) counts.alreadyScanned++;
  if (verdict) counts[verdict]++;
}

/** Counts the rows of every result CSV of a report. */
export function countReport(csvFiles: readonly string[]): BacklogCounts {
  const counts = emptyCounts();
  for (const csv of csvFiles) for (const row of parseReportRows(csv)) addReportRow(counts, row);
  return counts;
}
