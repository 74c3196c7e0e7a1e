/**
 * The scanner's Lambda entry point. Everything is created on the first invocation and kept for the
 * life of the execution environment: the S3 and SQS clients, and clamd with its database loaded.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { parseScannerConfig } from "../../core/handler-config";
import { isMarkRequest } from "../../core/marker";
import { sinkFromConfig } from "../shared/events";
import { powertoolsLog, powertoolsMetrics } from "../shared/logger";
import { createS3Client } from "../shared/s3";
import { handleMarkRequest } from "./marker-entry";
import { sqsDelayRetry } from "./retry";
import { createScanner, type Scanner } from "./scanner";

/**
 * Set to `off` where the SQS event does not come from SQS (local mode's runner keeps its own queue,
 * retries and back-off): no ChangeMessageVisibility is sent then.
 */
export const RETRY_BACKOFF_VARIABLE = "BW_SQS_RETRY_BACKOFF";

const SERVICE = "bucketwarden-scanner";
const metrics = powertoolsMetrics(SERVICE);
const log = powertoolsLog(SERVICE);
let scanner: Scanner | undefined;

function scannerFromEnvironment(): Scanner {
  const config = parseScannerConfig(process.env);
  const backOff = process.env[RETRY_BACKOFF_VARIABLE] !== "off";
  return createScanner({
    config,
    s3: createS3Client(config),
    log,
    metrics,
    events: sinkFromConfig(config),
    ...(backOff ? { delayRetry: sqsDelayRetry(new SQSClient({})) } : {}),
  });
}

/**
 * Lambda handler: S3 events directly or through SQS (with partial batch failures), S3 Batch
 * Operations invocations (a result per task), and the adoption marker's `mark-pre-existing` events.
 */
export async function handler(event: unknown, context?: Context) {
  // Before anything logs, so that the engine's start too carries the request id and cold start.
  if (context) log.addContext(context);
  if (isMarkRequest(event)) {
    const config = parseScannerConfig(process.env);
    try {
      return await handleMarkRequest(
        { config, s3: createS3Client(config), log, metrics },
        event,
        context?.getRemainingTimeInMillis && (() => context.getRemainingTimeInMillis?.() ?? 0),
      );
    } finally {
      metrics.flush();
    }
  }
  scanner ??= scannerFromEnvironment();
  try {
    return await scanner.handle(event);
  } finally {
    metrics.flush();
  }
}

export type { BatchOperationsResponse } from "../../core/batch-operations";
export { markPreExisting } from "./marker";
export { handleMarkRequest } from "./marker-entry";
export type { ObjectResult } from "./results";
export type { Scanner, ScannerDeps, ScanReport } from "./scanner";
export { createScanner } from "./scanner";
