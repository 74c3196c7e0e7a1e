/**
 * The rescan starter's configuration and decisions (BacklogScanning's function on AWS): on a
 * `Definitions Updated` event (core/definitions-event), one S3 Batch Operations job per upload bucket
 * that rescans the objects created within the rescan window, built by core/backlog-job's CreateJob
 * builder. Pure: the handler (handlers/rescan) sends what this returns.
 */
import {
  type BacklogCreateJobRequest,
  BacklogKind,
  backlogCreateJobRequest,
  rescanCreatedAfter,
} from "./backlog-job";
import { DEFINITIONS_UPDATED } from "./definitions-event";
import { ConfigError, EventParseError } from "./errors";
import { EVENT_SOURCE } from "./verdict-event";

/** The variable holding the starter's configuration, as JSON. */
export const RESCAN_CONFIG_VARIABLE = "BW_RESCAN_JOBS";

/** What the starter needs, written by BacklogScanning into {@link RESCAN_CONFIG_VARIABLE}. */
export interface RescanStarterConfig {
  accountId: string;
  partition: string;
  jobRoleArn: string;
  reportBucketArn: string;
  reportPrefix: string;
  manifestPrefix: string;
  /** How far back a rescan reaches, in seconds. */
  windowSeconds: number;
  /** Each upload bucket and the scanner whose batch entry point its job invokes. */
  buckets: { bucket: string; scannerFunctionArn: string }[];
}

/** Reads {@link RESCAN_CONFIG_VARIABLE}; throws {@link ConfigError} naming it. */
export function parseRescanStarterConfig(
  env: Readonly<Record<string, string | undefined>>,
): RescanStarterConfig {
  const raw = env[RESCAN_CONFIG_VARIABLE];
  if (raw === undefined || raw.trim() === "") throw new ConfigError(RESCAN_CONFIG_VARIABLE, "is required");
  let c: Partial<RescanStarterConfig>;
  try {
    c = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError(RESCAN_CONFIG_VARIABLE, "is not JSON", { cause });
  }
  const strings = [
    "accountId",
    "partition",
    "jobRoleArn",
    "reportBucketArn",
    "reportPrefix",
    "manifestPrefix",
  ] as const;
  for (const k of strings)
    if (typeof c[k] !== "string" || c[k] === "")
      throw new ConfigError(RESCAN_CONFIG_VARIABLE, `needs "${k}"`);
  if (typeof c.windowSeconds !== "number" || c.windowSeconds <= 0)
    throw new ConfigError(RESCAN_CONFIG_VARIABLE, `needs a positive "windowSeconds"`);
  if (!Array.isArray(c.buckets) || c.buckets.length === 0)
    throw new ConfigError(RESCAN_CONFIG_VARIABLE, `needs at least one of "buckets"`);
  return c as RescanStarterConfig;
}

/** What a `Definitions Updated` event says the rescan is for. */
export interface DefinitionsUpdate {
  /** The new definitions version: the jobs' run id. */
  version: string;
  /** When they were published: the window ends there, the same on every delivery of the event. */
  publishedAt: Date;
}

/** Reads a `Definitions Updated` event (as EventBridge delivers it); throws for any other event. */
export function parseDefinitionsUpdated(event: unknown): DefinitionsUpdate {
  const e = event as {
    source?: unknown;
    "detail-type"?: unknown;
    detail?: { version?: unknown; publishedAt?: unknown };
  } | null;
  if (e?.source !== EVENT_SOURCE || e["detail-type"] !== DEFINITIONS_UPDATED)
    throw new EventParseError(`not a ${EVENT_SOURCE} "${DEFINITIONS_UPDATED}" event`);
  if (typeof e.detail?.version !== "string" || e.detail.version === "")
    throw new EventParseError(`"${DEFINITIONS_UPDATED}" names no definitions version`);
  const publishedAt = new Date(typeof e.detail.publishedAt === "string" ? e.detail.publishedAt : Number.NaN);
  if (Number.isNaN(publishedAt.getTime()))
    throw new EventParseError(`"${DEFINITIONS_UPDATED}" has no valid publishedAt`);
  return { version: e.detail.version, publishedAt };
}

/**
 * One rescan job per upload bucket: a generated manifest of the objects created within the window
 * before the definitions were published, invoking the bucket's scanner with `{"mode": "rescan"}`. Run
 * id and window come from the event alone, so a retried event (or a second delivery) sends the same
 * request and CreateJob's idempotency token answers with the same job.
 */
export function rescanJobRequests(
  config: RescanStarterConfig,
  update: DefinitionsUpdate,
): BacklogCreateJobRequest[] {
  const definitionsVersion = update.version;
  const createdAfter = rescanCreatedAfter(update.publishedAt, config.windowSeconds * 1000);
  return config.buckets.map((b) =>
    backlogCreateJobRequest({
      kind: BacklogKind.Rescan,
      accountId: config.accountId,
      partition: config.partition,
      bucket: b.bucket,
      scannerFunctionArn: b.scannerFunctionArn,
      jobRoleArn: config.jobRoleArn,
      reportBucketArn: config.reportBucketArn,
      reportPrefix: config.reportPrefix,
      manifestPrefix: config.manifestPrefix,
      manifest: { type: "generated", createdAfter },
      runId: definitionsVersion,
    }),
  );
}
