/**
 * The scanner's Lambda entry point. Everything is created on the first invocation and kept for the
 * life of the execution environment: the S3 client, and clamd with its database loaded.
 */
import { parseScannerConfig } from "../../core/handler-config";
import { powertoolsLog, powertoolsMetrics } from "../shared/logger";
import { createS3Client } from "../shared/s3";
import { createScanner, type Scanner } from "./scanner";

const SERVICE = "bucketwarden-scanner";
const metrics = powertoolsMetrics(SERVICE);
let scanner: Scanner | undefined;

function scannerFromEnvironment(): Scanner {
  const config = parseScannerConfig(process.env);
  return createScanner({ config, s3: createS3Client(config), log: powertoolsLog(SERVICE), metrics });
}

/** Lambda handler: S3 events directly or through SQS (with partial batch failures). */
export async function handler(event: unknown) {
  scanner ??= scannerFromEnvironment();
  try {
    return await scanner.handle(event);
  } finally {
    metrics.flush();
  }
}

export type { ObjectResult } from "./results";
export type { Scanner, ScannerDeps, ScanReport } from "./scanner";
export { createScanner } from "./scanner";
