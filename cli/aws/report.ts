/**
 * Reads a finished job's completion report from the report bucket: its top-level file, then every
 * result CSV it lists, into verdict counts (core/backlog-job does the reading; this does the GETs).
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  type BacklogCounts,
  CompletionReportError,
  completionReportKeys,
  countReport,
  parseCompletionReportManifest,
} from "../../core/backlog-report";
import { callAws } from "./call";

/** A completion report read. */
export interface CompletionReport {
  counts: BacklogCounts;
  /** `s3://` URI of the report's top-level file. */
  uri: string;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}

async function getText(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<string> {
  const answer = await callAws("s3:GetObject", () =>
    s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal ? { abortSignal: signal } : {}),
  );
  if (!answer.Body) throw new CompletionReportError(`s3://${bucket}/${key} has no body`);
  return answer.Body.transformToString("utf-8");
}

/**
 * The completion report of job `jobId`, or undefined when there is none (Batch Operations writes none
 * for a job that never invoked a task, such as one whose manifest was empty).
 */
export async function readCompletionReport(
  s3: S3Client,
  reportBucket: string,
  reportPrefix: string,
  jobId: string,
  signal?: AbortSignal,
): Promise<CompletionReport | undefined> {
  for (const key of completionReportKeys(reportPrefix, jobId)) {
    let text: string;
    try {
      text = await getText(s3, reportBucket, key, signal);
    } catch (error) {
      if (isMissing(error) || isMissing((error as { cause?: unknown }).cause)) continue;
      throw error;
    }
    const files = parseCompletionReportManifest(text);
    const csvs: string[] = [];
    for (const file of files) csvs.push(await getText(s3, file.bucket, file.key, signal));
    return { counts: countReport(csvs), uri: `s3://${reportBucket}/${key}` };
  }
  return undefined;
}
