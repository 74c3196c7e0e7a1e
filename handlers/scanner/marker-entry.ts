/**
 * The marker as the scanner's Lambda runs it: `{"bucketwarden": "mark-pre-existing", ...}` events
 * (handlers/README.md), answered with a {@link MarkReport}. Separate from the scanning path: it needs
 * the scanner's S3 credentials and the stamp key, not the engine, so no clamd starts for it.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ScannerConfig } from "../../core/handler-config";
import { type MarkReport, parseMarkRequest } from "../../core/marker";
import type { Log, MetricsSink } from "../shared/logger";
import { readStampKey } from "../shared/stamp-key";
import { markPreExisting } from "./marker";

export interface MarkerEntryDeps {
  config: Pick<ScannerConfig, "tags" | "definitionsBucket" | "definitionsPrefix">;
  s3: S3Client;
  /** Reads the stamp key. @default s3 */
  definitionsS3?: S3Client;
  log: Log;
  metrics: MetricsSink;
}

/** Parses a marker event, reads the stamp key and marks, within the time `remainingMs` reports. */
export async function handleMarkRequest(
  deps: MarkerEntryDeps,
  event: unknown,
  remainingMs?: () => number,
): Promise<MarkReport> {
  const request = parseMarkRequest(event);
  const stampKey = await readStampKey(deps.definitionsS3 ?? deps.s3, {
    bucket: deps.config.definitionsBucket,
    prefix: deps.config.definitionsPrefix,
  });
  return markPreExisting(
    { s3: deps.s3, tags: deps.config.tags, stampKey, log: deps.log, metrics: deps.metrics, remainingMs },
    request,
  );
}
