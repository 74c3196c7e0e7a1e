/**
 * The pure parts of local mode's batch runner: the Batch Operations (schema 2.0) event for a task,
 * the manifest and completion report lines (CSV, as Batch Operations writes them), and the summary
 * counted from a report. Kept apart from the runner so that each is a row in a table test.
 */
import type { BacklogSummary } from "../cli/backend";
import { addReportRow, type BacklogVerdict, emptyCounts, resultVerdict } from "../core/backlog-report";
import { BatchResultCode, BatchSchemaVersion } from "../core/batch-operations";
import { encodeS3Key } from "./sqs-event";

/** One object version a run scans. */
export interface ManifestEntry {
  bucket: string;
  key: string;
  versionId?: string;
}

/** The identity of a manifest entry: a key and version, as the report and the resume compare them. */
export function entryIdentity(e: ManifestEntry): string {
  return `${e.key}\n${e.versionId ?? ""}`;
}

/** A manifest line: bucket, URL-encoded key, version id (Batch Operations' CSV manifest format). */
export function manifestLine(e: ManifestEntry): string {
  return [e.bucket, encodeS3Key(e.key), e.versionId ?? ""].join(",");
}

export function parseManifestLine(line: string): ManifestEntry {
  const [bucket, key, versionId] = line.split(",");
  return {
    bucket,
    key: decodeURIComponent(key.replace(/\+/g, " ")),
    ...(versionId ? { versionId } : {}),
  };
}

/** The invocation Batch Operations sends for `entries` (one task each), schema 2.0. */
export function batchEvent(
  jobId: string,
  invocationId: string,
  mode: string,
  entries: ReadonlyArray<ManifestEntry & { taskId: string }>,
): Record<string, unknown> {
  return {
    invocationSchemaVersion: BatchSchemaVersion.V2,
    invocationId,
    job: { id: jobId, userArguments: { mode } },
    tasks: entries.map((e) => ({
      taskId: e.taskId,
      s3Bucket: e.bucket,
      s3Key: encodeS3Key(e.key),
      s3VersionId: e.versionId ?? null,
    })),
  };
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A completion report line: the manifest columns, then succeeded/failed, the code and the result string. */
export function reportLine(e: ManifestEntry, r: { resultCode: string; resultString: string }): string {
  const status = r.resultCode === BatchResultCode.Succeeded ? "succeeded" : "failed";
  return [manifestLine(e), status, r.resultCode, csvField(r.resultString.replace(/[\r\n]+/g, " "))].join(",");
}

/** A report line read back: its entry and result. */
export function parseReportLine(line: string): {
  entry: ManifestEntry;
  resultCode: string;
  resultString: string;
} {
  const parts = line.split(",");
  const entry = parseManifestLine(parts.slice(0, 3).join(","));
  const resultCode = parts[4];
  let resultString = parts.slice(5).join(",");
  if (resultString.startsWith('"')) resultString = resultString.slice(1, -1).replace(/""/g, '"');
  return { entry, resultCode, resultString };
}

/** The verdict a task's result string gives the object anew (a kept one is nothing new). */
export function verdictOfResult(resultString: string): BacklogVerdict | undefined {
  const { verdict, kept } = resultVerdict(resultString);
  return kept ? undefined : verdict;
}

/** The run's summary from its report's results (the last result per object counts). */
export function summarize(
  results: Iterable<{ resultCode: string; resultString: string }>,
  report: string,
): BacklogSummary {
  const counts = emptyCounts();
  for (const r of results)
    addReportRow(counts, {
      taskStatus: r.resultCode === BatchResultCode.Succeeded ? "succeeded" : "failed",
      resultMessage: r.resultString,
    });
  return { ...counts, report };
}
