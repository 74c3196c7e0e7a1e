/**
 * A backlog scan or a rescan of one upload bucket as an S3 Batch Operations job: the CreateJob request
 * that starts it, the conventions that let a later run find it again, and the reading of its
 * DescribeJob progress (core/backlog-report reads its completion report). Pure: the CLI (cli/aws)
 * and the rescan starter send what this builds and hand back what S3 Control answered.
 *
 * The shapes follow the S3 Control API (`CreateJob`, `JobDescriptor`, `JobListDescriptor`) field for
 * field; tests/core/backlog-job.test.ts checks under tsc that they are assignable to the SDK's own
 * types (`CreateJobCommandInput`) and name no field the SDK does not, so a renamed field fails the
 * build. Sources (AWS documentation, read
 * 2026-11-26; not run against AWS from this machine):
 * - S3 API Reference, CreateJob, JobManifestGeneratorFilter, S3ManifestOutputLocation, JobReport,
 *   LambdaInvokeOperation (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateJob.html).
 */
import { createHash } from "node:crypto";
import { ConfigError } from "./errors";

/** What a backlog job does, as the CLI's commands and the scanner's `mode` user argument name it. */
export const BacklogKind = {
  /** Give every object without a verdict one (an adopted bucket's backlog). */
  ScanExisting: "scan-existing",
  /** Scan again objects scanned before, with definitions that add signatures. */
  Rescan: "rescan",
} as const;
export type BacklogKind = (typeof BacklogKind)[keyof typeof BacklogKind];

/** The `UserArguments` key the scanner's batch entry point reads the kind from. */
export const BACKLOG_MODE_ARGUMENT = "mode";

/** Batch Operations job statuses (S3 API Reference, `JobStatus`). */
export const JobStatus = {
  New: "New",
  Preparing: "Preparing",
  Suspended: "Suspended",
  Ready: "Ready",
  Active: "Active",
  Pausing: "Pausing",
  Paused: "Paused",
  Completing: "Completing",
  Complete: "Complete",
  Failing: "Failing",
  Failed: "Failed",
  Cancelling: "Cancelling",
  Cancelled: "Cancelled",
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/**
 * Statuses of a job that will still scan objects: a later run follows it instead of starting another.
 * `Failing` and `Cancelling` are left out: those jobs end without finishing, so a new one is needed.
 */
export const UNFINISHED_JOB_STATUSES: readonly JobStatus[] = [
  JobStatus.New,
  JobStatus.Preparing,
  JobStatus.Suspended,
  JobStatus.Ready,
  JobStatus.Active,
  JobStatus.Pausing,
  JobStatus.Paused,
  JobStatus.Completing,
];

/** Where the objects to scan come from. */
export type BacklogManifestSource =
  | {
      /** Batch Operations lists the bucket itself when the job starts (a generated manifest). */
      type: "generated";
      /** Only keys starting with this. */
      prefix?: string;
      /** Only objects created after this time (a rescan's window). */
      createdAfter?: Date;
    }
  | {
      /** An S3 Inventory report the bucket already has (cheaper to read than a listing at 100 M objects). */
      type: "inventory";
      /** ARN of the inventory's `manifest.json`. */
      manifestArn: string;
      /** Its ETag, as S3 requires to pin the manifest. */
      eTag: string;
      manifestVersionId?: string;
    };

/** What BacklogScanning (the stack) provides for jobs, and the bucket a job is for. */
export interface BacklogJobTarget {
  accountId: string;
  /** The upload bucket's name. */
  bucket: string;
  /** The scanner function whose batch entry point the job invokes. */
  scannerFunctionArn: string;
  /** The role the job runs as (BacklogScanning's `jobRoleArn`). */
  jobRoleArn: string;
  /** The report bucket's ARN (BacklogScanning's `reportBucketArn`). */
  reportBucketArn: string;
  /** Key prefix of completion reports, e.g. `reports/`. */
  reportPrefix: string;
  /** Key prefix of generated manifests, e.g. `manifests/`. */
  manifestPrefix: string;
  /** @default "aws" */
  partition?: string;
}

/** One backlog job to create. */
export interface BacklogJobSpec extends BacklogJobTarget {
  kind: BacklogKind;
  manifest: BacklogManifestSource;
  /**
   * Names this start, for the idempotency token: the same spec and run id give the same
   * `ClientRequestToken`, so a retried CreateJob (a retried event, a CLI restarted mid-call) does not
   * create a second job. The rescan starter passes the new definitions version; the CLI a fresh id.
   */
  runId: string;
  /** Higher runs first among the account's jobs. @default 10 (scan-existing), 20 (rescan) */
  priority?: number;
}

/** `CreateJob`'s request, field for field as S3 Control takes it (a subset: what backlog jobs set). */
export interface BacklogCreateJobRequest {
  AccountId: string;
  ConfirmationRequired: boolean;
  Operation: {
    LambdaInvoke: {
      FunctionArn: string;
      InvocationSchemaVersion: string;
      UserArguments: Record<string, string>;
    };
  };
  Report: {
    Bucket: string;
    Format: "Report_CSV_20180820";
    Enabled: boolean;
    Prefix: string;
    ReportScope: "AllTasks";
    ExpectedBucketOwner: string;
  };
  ClientRequestToken: string;
  Description: string;
  Priority: number;
  RoleArn: string;
  Manifest?: {
    Spec: { Format: "S3InventoryReport_CSV_20161130" };
    Location: { ObjectArn: string; ETag: string; ObjectVersionId?: string };
  };
  ManifestGenerator?: {
    S3JobManifestGenerator: {
      ExpectedBucketOwner: string;
      SourceBucket: string;
      EnableManifestOutput: boolean;
      ManifestOutputLocation: {
        ExpectedManifestBucketOwner: string;
        Bucket: string;
        ManifestPrefix: string;
        ManifestFormat: "S3InventoryReport_CSV_20211130";
      };
      Filter?: {
        CreatedAfter?: Date;
        KeyNameConstraint?: { MatchAnyPrefix: string[] };
      };
    };
  };
}

/** S3 Control's limit on a job's `Description`. */
export const MAX_DESCRIPTION_LENGTH = 256;
/** S3 Control's limit on `ClientRequestToken`. */
const MAX_TOKEN_LENGTH = 64;
const DESCRIPTION_PREFIX = "bucketwarden";

/** A key prefix as S3 Control takes it: it adds its own `/` after a report or manifest prefix. */
export function withoutTrailingSlash(prefix: string): string {
  return prefix.replace(/\/+$/, "");
}

/** What a job's description says, so that a later run can recognise it. */
export interface BacklogJobIdentity {
  kind: BacklogKind;
  bucket: string;
  /** The key prefix scanned; "" for the whole bucket. */
  prefix: string;
  /** A rescan's window start. */
  createdAfter?: Date;
}

/**
 * The job's `Description`: `bucketwarden <kind> s3://<bucket>/<prefix>[ since <ISO time>]`. Readable
 * in the console, and the only field ListJobs returns that a job's creator chooses, so it is what
 * {@link parseBacklogJobDescription} reads to find an unfinished job for the same bucket and kind.
 */
export function backlogJobDescription(identity: BacklogJobIdentity): string {
  const since = identity.createdAfter ? ` since ${identity.createdAfter.toISOString()}` : "";
  const text = `${DESCRIPTION_PREFIX} ${identity.kind} s3://${identity.bucket}/${identity.prefix}${since}`;
  if (text.length > MAX_DESCRIPTION_LENGTH)
    throw new ConfigError(
      "prefix",
      `"${identity.prefix}" is too long to name in a job description (${MAX_DESCRIPTION_LENGTH} characters)`,
    );
  return text;
}

const DESCRIPTION_PATTERN =
  /^bucketwarden (scan-existing|rescan) s3:\/\/([^/]+)\/(.*?)(?: since (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z))?$/s;

/** Reads a description {@link backlogJobDescription} wrote; undefined for any other job's. */
export function parseBacklogJobDescription(description: string | undefined): BacklogJobIdentity | undefined {
  const match = description === undefined ? null : DESCRIPTION_PATTERN.exec(description);
  if (!match) return undefined;
  const [, kind, bucket, prefix, since] = match;
  return {
    kind: kind as BacklogKind,
    bucket: bucket as string,
    prefix: prefix as string,
    ...(since ? { createdAfter: new Date(since) } : {}),
  };
}

function identityOf(spec: Pick<BacklogJobSpec, "kind" | "bucket" | "manifest">): BacklogJobIdentity {
  const generated = spec.manifest.type === "generated" ? spec.manifest : undefined;
  return {
    kind: spec.kind,
    bucket: spec.bucket,
    prefix: generated?.prefix ?? "",
    ...(generated?.createdAfter ? { createdAfter: generated.createdAfter } : {}),
  };
}

/** A stable idempotency token from everything that makes the job what it is, and the run id. */
function clientRequestToken(spec: BacklogJobSpec): string {
  const manifest =
    spec.manifest.type === "generated"
      ? ["generated", spec.manifest.prefix ?? "", spec.manifest.createdAfter?.toISOString() ?? ""]
      : ["inventory", spec.manifest.manifestArn, spec.manifest.eTag, spec.manifest.manifestVersionId ?? ""];
  const digest = createHash("sha256")
    .update(JSON.stringify([spec.kind, spec.bucket, spec.scannerFunctionArn, ...manifest, spec.runId]))
    .digest("hex");
  return `bw-${spec.kind}-${digest}`.slice(0, MAX_TOKEN_LENGTH);
}

/** The default priority of each kind: a rescan carries new signatures, so it goes first. */
export const DEFAULT_PRIORITY: Readonly<Record<BacklogKind, number>> = {
  [BacklogKind.ScanExisting]: 10,
  [BacklogKind.Rescan]: 20,
};

/**
 * The CreateJob request for a backlog scan or rescan of one bucket: the scanner's batch entry point
 * invoked once per object (schema 2.0, `UserArguments: {mode}`), from a generated manifest (written
 * under the manifest prefix, as BacklogScanning's job role allows) or an S3 Inventory report, with a
 * completion report of every task (the summary reads each task's verdict from it).
 * `ConfirmationRequired: false`: the job runs as soon as it is ready, nobody confirms it in the console.
 */
export function backlogCreateJobRequest(spec: BacklogJobSpec): BacklogCreateJobRequest {
  const partition = spec.partition ?? "aws";
  const { accountId, manifest } = spec;
  if (!/^\d{12}$/.test(accountId))
    throw new ConfigError("accountId", `"${accountId}" is not a 12-digit AWS account id`);
  if (!spec.runId) throw new ConfigError("runId", "a backlog job needs a run id for its idempotency token");
  const priority = spec.priority ?? DEFAULT_PRIORITY[spec.kind];
  if (!Number.isInteger(priority) || priority < 0 || priority > 2147483647)
    throw new ConfigError("priority", `must be a whole number from 0 to 2147483647, got ${priority}`);
  const request: BacklogCreateJobRequest = {
    AccountId: accountId,
    ConfirmationRequired: false,
    Operation: {
      LambdaInvoke: {
        FunctionArn: spec.scannerFunctionArn,
        InvocationSchemaVersion: "2.0",
        UserArguments: { [BACKLOG_MODE_ARGUMENT]: spec.kind },
      },
    },
    Report: {
      Bucket: spec.reportBucketArn,
      Format: "Report_CSV_20180820",
      Enabled: true,
      Prefix: withoutTrailingSlash(spec.reportPrefix),
      ReportScope: "AllTasks",
      ExpectedBucketOwner: accountId,
    },
    ClientRequestToken: clientRequestToken(spec),
    Description: backlogJobDescription(identityOf(spec)),
    Priority: priority,
    RoleArn: spec.jobRoleArn,
  };
  if (manifest.type === "inventory")
    return {
      ...request,
      Manifest: {
        Spec: { Format: "S3InventoryReport_CSV_20161130" },
        Location: {
          ObjectArn: manifest.manifestArn,
          ETag: manifest.eTag,
          ...(manifest.manifestVersionId ? { ObjectVersionId: manifest.manifestVersionId } : {}),
        },
      },
    };
  const filter = {
    ...(manifest.createdAfter ? { CreatedAfter: manifest.createdAfter } : {}),
    ...(manifest.prefix ? { KeyNameConstraint: { MatchAnyPrefix: [manifest.prefix] } } : {}),
  };
  return {
    ...request,
    ManifestGenerator: {
      S3JobManifestGenerator: {
        ExpectedBucketOwner: accountId,
        SourceBucket: `arn:${partition}:s3:::${spec.bucket}`,
        // Kept, so that a failed task can be traced to the listing it came from.
        EnableManifestOutput: true,
        ManifestOutputLocation: {
          ExpectedManifestBucketOwner: accountId,
          Bucket: spec.reportBucketArn,
          ManifestPrefix: withoutTrailingSlash(spec.manifestPrefix),
          ManifestFormat: "S3InventoryReport_CSV_20211130",
        },
        ...(Object.keys(filter).length > 0 ? { Filter: filter } : {}),
      },
    },
  };
}

/** A rescan window's start: `windowMs` before `now`. */
export function rescanCreatedAfter(now: Date, windowMs: number): Date {
  if (!Number.isFinite(windowMs) || windowMs <= 0)
    throw new ConfigError("rescanWindow", `must be a positive duration, got ${windowMs} ms`);
  return new Date(now.getTime() - windowMs);
}

/** The ListJobs request for the account's jobs that may still be scanning. */
export function unfinishedJobsRequest(accountId: string, nextToken?: string) {
  return {
    AccountId: accountId,
    JobStatuses: [...UNFINISHED_JOB_STATUSES],
    MaxResults: 1000,
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** The fields of a ListJobs entry that resuming reads. */
export interface ListedJob {
  JobId?: string | undefined;
  Description?: string | undefined;
  Status?: string | undefined;
  CreationTime?: Date | undefined;
}

/**
 * The unfinished job that already does what `wanted` asks, if any: same bucket, kind and prefix, and
 * for a rescan a window starting no later than the one wanted (it covers every object the wanted one
 * would). The newest such job, when there are several.
 */
export function findResumableJob<J extends ListedJob>(
  jobs: readonly J[],
  wanted: BacklogJobIdentity,
): J | undefined {
  const matches = jobs.filter((job) => {
    if (!job.JobId || !UNFINISHED_JOB_STATUSES.includes(job.Status as JobStatus)) return false;
    const found = parseBacklogJobDescription(job.Description);
    if (
      !found ||
      found.kind !== wanted.kind ||
      found.bucket !== wanted.bucket ||
      found.prefix !== wanted.prefix
    )
      return false;
    if (!wanted.createdAfter) return found.createdAfter === undefined;
    return found.createdAfter === undefined || found.createdAfter.getTime() <= wanted.createdAfter.getTime();
  });
  return matches.sort((a, b) => (b.CreationTime?.getTime() ?? 0) - (a.CreationTime?.getTime() ?? 0))[0];
}

/** The fields of DescribeJob's `Job` that progress reads. */
export interface DescribedJob {
  JobId?: string | undefined;
  Status?: string | undefined;
  ProgressSummary?:
    | {
        TotalNumberOfTasks?: number | undefined;
        NumberOfTasksSucceeded?: number | undefined;
        NumberOfTasksFailed?: number | undefined;
      }
    | undefined;
  FailureReasons?:
    | Array<{ FailureCode?: string | undefined; FailureReason?: string | undefined }>
    | undefined;
  StatusUpdateReason?: string | undefined;
}

/** Where a job stands (cli/backend's `BacklogProgress`, restated so core does not import cli). */
export interface JobProgress {
  total: number | undefined;
  processed: number;
  failed: number;
  status: string;
}

/** Statuses before Batch Operations has read the whole manifest: its task count is not known yet. */
const COUNTING: ReadonlySet<string> = new Set([JobStatus.New, JobStatus.Preparing]);

/** Reads DescribeJob's answer into progress. */
export function jobProgress(job: DescribedJob): JobProgress {
  const summary = job.ProgressSummary ?? {};
  const status = job.Status ?? "Unknown";
  const succeeded = summary.NumberOfTasksSucceeded ?? 0;
  const failed = summary.NumberOfTasksFailed ?? 0;
  return {
    total: COUNTING.has(status) ? undefined : summary.TotalNumberOfTasks,
    processed: succeeded + failed,
    failed,
    status,
  };
}

/** How a job stands: still going, or how it ended. */
export type JobOutcome = "running" | "complete" | "failed" | "cancelled";

/** Whether a job has ended, and how. */
export function jobOutcome(status: string | undefined): JobOutcome {
  switch (status) {
    case JobStatus.Complete:
      return "complete";
    case JobStatus.Failed:
      return "failed";
    case JobStatus.Cancelled:
      return "cancelled";
    default:
      return "running";
  }
}

/** A job's failure reasons as one line: `CODE: reason; CODE: reason`. */
export function jobFailureText(job: DescribedJob): string {
  const reasons = (job.FailureReasons ?? []).map((r) =>
    [r.FailureCode, r.FailureReason].filter((part) => part !== undefined && part !== "").join(": "),
  );
  const text = reasons.filter((r) => r !== "").join("; ");
  return text || job.StatusUpdateReason || "no reason given";
}
