/**
 * The rescan starter's Lambda entry point (BacklogScanning): an EventBridge rule delivers each
 * `Definitions Updated` event (the updater sends it when new definitions add signatures), and this
 * creates one S3 Batch Operations rescan job per upload bucket (core/rescan-starter). A failed
 * CreateJob throws after the others were tried, so Lambda's retry of the asynchronous event tries
 * again; the idempotency token (the definitions version) keeps a retry from creating a second job.
 */
import { CreateJobCommand, S3ControlClient } from "@aws-sdk/client-s3-control";
import { BucketwardenError } from "../../core/errors";
import {
  parseDefinitionsUpdated,
  parseRescanStarterConfig,
  type RescanStarterConfig,
  rescanJobRequests,
} from "../../core/rescan-starter";
import { errorAttributes, type Log, powertoolsLog } from "../shared/logger";

/** The part of S3ControlClient the starter uses, so tests can stub `send`. */
export type CreateJobClient = Pick<S3ControlClient, "send">;

/** One job per bucket: its id, or why it was not created. */
export interface RescanStart {
  definitionsVersion: string;
  jobs: { bucket: string; jobId?: string; error?: string }[];
}

/** Creates the rescan jobs for `event`; throws when any CreateJob failed, after trying every bucket. */
export async function startRescans(
  deps: { config: RescanStarterConfig; client: CreateJobClient; log: Log },
  event: unknown,
): Promise<RescanStart> {
  const update = parseDefinitionsUpdated(event);
  const version = update.version;
  const requests = rescanJobRequests(deps.config, update);
  const jobs: RescanStart["jobs"] = [];
  for (const [i, request] of requests.entries()) {
    const bucket = deps.config.buckets[i].bucket;
    try {
      const out = await deps.client.send(new CreateJobCommand(request));
      jobs.push({ bucket, jobId: out.JobId });
      deps.log.info("rescan job created", { bucket, jobId: out.JobId, definitionsVersion: version });
    } catch (error) {
      jobs.push({ bucket, error: error instanceof Error ? error.message : String(error) });
      deps.log.error("rescan job not created", {
        bucket,
        definitionsVersion: version,
        ...errorAttributes(error),
      });
    }
  }
  const failed = jobs.filter((j) => j.error !== undefined);
  if (failed.length > 0)
    throw new BucketwardenError(
      `${failed.length} of ${jobs.length} rescan jobs not created: ${failed.map((j) => `${j.bucket}: ${j.error}`).join("; ")}`,
    );
  return { definitionsVersion: version, jobs };
}

let client: S3ControlClient | undefined;

/** Lambda handler. */
export async function handler(event: unknown): Promise<RescanStart> {
  const config = parseRescanStarterConfig(process.env);
  client ??= new S3ControlClient({});
  return startRescans({ config, client, log: powertoolsLog("bucketwarden-rescan") }, event);
}
