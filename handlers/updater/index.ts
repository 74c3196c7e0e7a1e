/** The updater's Lambda entry point, run on a schedule. */
import type { Context } from "aws-lambda";
import { parseUpdaterConfig } from "../../core/handler-config";
import { sinkFromConfig } from "../shared/events";
import { powertoolsLog, powertoolsMetrics } from "../shared/logger";
import { createS3Client } from "../shared/s3";
import { createUpdater, type Updater } from "./updater";

const SERVICE = "bucketwarden-updater";
const metrics = powertoolsMetrics(SERVICE);
const log = powertoolsLog(SERVICE);
let updater: Updater | undefined;

/**
 * Lambda handler: one update; throws (so the invocation fails and alarms) when freshclam fails or the
 * database does not load. A mirror's refusal does not throw: with nothing published yet it returns
 * `no-definitions` and counts `DefinitionsMissing`, which the stack's alarm watches.
 */
export async function handler(_event?: unknown, context?: Context) {
  // Every line of the run carries the request id and the cold-start marker.
  if (context) log.addContext(context);
  updater ??= (() => {
    const config = parseUpdaterConfig(process.env);
    return createUpdater({
      config,
      s3: createS3Client(config),
      log,
      metrics,
      events: sinkFromConfig(config),
    });
  })();
  try {
    return await updater.run({ getRemainingTimeInMillis: context?.getRemainingTimeInMillis?.bind(context) });
  } finally {
    metrics.flush();
  }
}

export type { UpdateResult, Updater, UpdaterDeps } from "./updater";
export { createUpdater, UpdateStatus } from "./updater";
