/** The updater's Lambda entry point, run on a schedule. */
import { parseUpdaterConfig } from "../../core/handler-config";
import { powertoolsLog, powertoolsMetrics } from "../shared/logger";
import { createS3Client } from "../shared/s3";
import { createUpdater, type Updater } from "./updater";

const SERVICE = "bucketwarden-updater";
const metrics = powertoolsMetrics(SERVICE);
let updater: Updater | undefined;

/** Lambda handler: one update; throws (so the invocation fails and alarms) when nothing could be published. */
export async function handler() {
  updater ??= (() => {
    const config = parseUpdaterConfig(process.env);
    return createUpdater({ config, s3: createS3Client(config), log: powertoolsLog(SERVICE), metrics });
  })();
  try {
    return await updater.run();
  } finally {
    metrics.flush();
  }
}

export type { UpdateResult, Updater, UpdaterDeps } from "./updater";
export { createUpdater, UpdateStatus } from "./updater";
