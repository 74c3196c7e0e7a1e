/**
 * The AWS backend of the `bucketwarden` command: a backlog run is an S3 Batch Operations job built by
 * core/backlog-job from the stack's outputs, started (or found again) with ListJobs/CreateJob,
 * followed with DescribeJob, and summed up from its completion report.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleepFor } from "node:timers/promises";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateJobCommand,
  DescribeJobCommand,
  type JobDescriptor,
  type JobListDescriptor,
  ListJobsCommand,
  type ListJobsCommandInput,
  S3ControlClient,
} from "@aws-sdk/client-s3-control";
import {
  type BacklogJobIdentity,
  type BacklogManifestSource,
  backlogCreateJobRequest,
  findResumableJob,
  JobStatus,
  jobFailureText,
  jobOutcome,
  jobProgress,
  parseBacklogJobDescription,
  unfinishedJobsRequest,
} from "../../core/backlog-job";
import { BucketwardenError, ConfigError } from "../../core/errors";
import { manifestKey, parseManifest } from "../../core/manifest";
import { SETTINGS } from "../../core/settings";
import type {
  Backend,
  BacklogJob,
  BacklogProgress,
  BacklogRequest,
  BacklogSummary,
  BucketStatus,
} from "../backend";
import { callAws } from "./call";
import { BacklogJobEndedError, FollowStoppedError, MissingOutputsError, UnknownBucketError } from "./errors";
import {
  accountOfArn,
  loadStackOutputs,
  type OutputsSource,
  partitionOfArn,
  regionOfArn,
  type StackOutputs,
} from "./outputs";
import { readCompletionReport } from "./report";

/** How often DescribeJob is asked: from `initialMs`, growing by `factor` while nothing moves, to `maxMs`. */
export interface PollSchedule {
  initialMs: number;
  maxMs: number;
  factor: number;
}

/** The default: a new job answers within seconds; a long one is asked twice a minute. */
export const DEFAULT_POLL: PollSchedule = { initialMs: 2_000, maxMs: 30_000, factor: 1.5 };

export interface AwsBackendOptions extends OutputsSource {
  /** The outputs already read (otherwise read from `outputsFile` or the Pulumi CLI). */
  outputs?: StackOutputs;
  /** The account jobs run in; read from the job role's ARN when absent. */
  accountId?: string;
  /** The region of S3 Control; the scanner function's region when absent. */
  region?: string;
  s3Control?: S3ControlClient;
  s3?: S3Client;
  poll?: PollSchedule;
  /** Waits `ms`, rejecting when `signal` aborts (injectable for tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Names a new job's start for its idempotency token; a fresh UUID when absent. */
  runId?: () => string;
  now?: () => Date;
  /** Key prefix of the definitions in `definitionsBucketName`. @default the `definitionsPrefix` setting's */
  definitionsPrefix?: string;
  /**
   * `s3://bucket/key` of an S3 Inventory report's `manifest.json` to scan from, instead of a manifest
   * the job generates by listing the bucket: an inventory of all versions names every version, and at
   * 100 M objects it is cheaper than a listing. The job role must be able to read it (deliver the
   * inventory under BacklogScanning's manifest prefix).
   */
  inventoryManifest?: string;
}

/** The bucket and key of an `s3://bucket/key` URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new ConfigError("--inventory", `"${uri}" is not an s3://bucket/key URI`);
  return { bucket: match[1] as string, key: match[2] as string };
}

interface Context {
  outputs: StackOutputs;
  accountId: string;
  partition: string;
  control: S3ControlClient;
  s3: S3Client;
}

/** The upload bucket's key in the stack's maps, or {@link UnknownBucketError}. */
function bucketKey(outputs: StackOutputs, bucket: string): string {
  const entry = Object.entries(outputs.uploadBucketNames).find(([, name]) => name === bucket);
  if (!entry) throw new UnknownBucketError(bucket, Object.values(outputs.uploadBucketNames).sort());
  return entry[0];
}

function identityOf(request: BacklogRequest, now: Date): BacklogJobIdentity {
  return {
    kind: request.kind,
    bucket: request.bucket,
    prefix: "",
    ...(request.kind === "rescan" && request.sinceMs !== undefined
      ? { createdAfter: new Date(now.getTime() - request.sinceMs) }
      : {}),
  };
}

/** The AWS backend, reading the stack outputs on first use. */
export function awsBackend(options: AwsBackendOptions = {}): Backend {
  const now = options.now ?? (() => new Date());
  const poll = options.poll ?? DEFAULT_POLL;
  const sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
  let context: Promise<Context> | undefined;

  const ctx = (): Promise<Context> => {
    context ??= (async () => {
      const outputs = options.outputs ?? (await loadStackOutputs(options));
      const roleArn = outputs.backlogScanning.jobRoleArn;
      const accountId = options.accountId ?? accountOfArn(roleArn);
      if (!accountId)
        throw new MissingOutputsError("backlogScanning.jobRoleArn", `"${roleArn}" names no account id`);
      const region =
        options.region ?? Object.values(outputs.backlogScanning.scannerFunctionArns).map(regionOfArn)[0];
      const clientConfig = region ? { region } : {};
      return {
        outputs,
        accountId,
        partition: partitionOfArn(roleArn),
        control: options.s3Control ?? new S3ControlClient(clientConfig),
        s3: options.s3 ?? new S3Client(clientConfig),
      };
    })();
    return context;
  };

  /** Every job ListJobs gives for `statuses`, across pages. */
  async function listJobs(
    c: Context,
    statuses: ListJobsCommandInput["JobStatuses"],
  ): Promise<JobListDescriptor[]> {
    const jobs: JobListDescriptor[] = [];
    let nextToken: string | undefined;
    do {
      const input = { ...unfinishedJobsRequest(c.accountId, nextToken), JobStatuses: statuses };
      const page = await callAws("s3:ListJobs", () => c.control.send(new ListJobsCommand(input)));
      jobs.push(...(page.Jobs ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return jobs;
  }

  const jobsOfBucket = (jobs: JobListDescriptor[], bucket: string) =>
    jobs.filter((j) => parseBacklogJobDescription(j.Description)?.bucket === bucket);

  /** An inventory manifest pinned by its current ETag, as CreateJob requires. */
  async function inventorySource(c: Context, uri: string): Promise<BacklogManifestSource> {
    const { bucket, key } = parseS3Uri(uri);
    const head = await callAws("s3:GetObject", () =>
      c.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
    );
    if (!head.ETag) throw new ConfigError("--inventory", `${uri} has no ETag`);
    return {
      type: "inventory",
      manifestArn: `arn:${c.partition}:s3:::${bucket}/${key}`,
      eTag: head.ETag,
      ...(head.VersionId ? { manifestVersionId: head.VersionId } : {}),
    };
  }

  async function start(request: BacklogRequest): Promise<BacklogJob> {
    const c = await ctx();
    const key = bucketKey(c.outputs, request.bucket);
    if (options.inventoryManifest) parseS3Uri(options.inventoryManifest);
    const identity = identityOf(request, now());
    const unfinished = await listJobs(c, unfinishedJobsRequest(c.accountId).JobStatuses);
    const found = findResumableJob(unfinished, identity);
    if (found?.JobId) return { id: found.JobId, request, resumed: true };
    const b = c.outputs.backlogScanning;
    const input = backlogCreateJobRequest({
      accountId: c.accountId,
      partition: c.partition,
      bucket: request.bucket,
      scannerFunctionArn: b.scannerFunctionArns[key] as string,
      jobRoleArn: b.jobRoleArn,
      reportBucketArn: b.reportBucketArn,
      reportPrefix: b.reportPrefix,
      manifestPrefix: b.manifestPrefix,
      kind: request.kind,
      manifest: options.inventoryManifest
        ? await inventorySource(c, options.inventoryManifest)
        : { type: "generated", ...(identity.createdAfter ? { createdAfter: identity.createdAfter } : {}) },
      runId: (options.runId ?? randomUUID)(),
    });
    const created = await callAws("s3:CreateJob", () => c.control.send(new CreateJobCommand(input)));
    if (!created.JobId) throw new BucketwardenError("S3 Control answered CreateJob without a JobId");
    return { id: created.JobId, request, resumed: false };
  }

  /** DescribeJob's `Job`; an abort while it is asked stops following. */
  async function describe(c: Context, jobId: string, signal: AbortSignal): Promise<JobDescriptor> {
    try {
      const answer = await callAws("s3:DescribeJob", () =>
        c.control.send(new DescribeJobCommand({ AccountId: c.accountId, JobId: jobId }), {
          abortSignal: signal,
        }),
      );
      return answer.Job ?? {};
    } catch (error) {
      if (signal.aborted) throw new FollowStoppedError(jobId, { cause: error });
      throw error;
    }
  }

  async function follow(
    job: BacklogJob,
    onProgress: (p: BacklogProgress) => void,
    signal: AbortSignal,
  ): Promise<BacklogSummary> {
    const c = await ctx();
    let wait = poll.initialMs;
    let lastProcessed = -1;
    let lastStatus = "";
    for (;;) {
      if (signal.aborted) throw new FollowStoppedError(job.id, { cause: signal.reason });
      const descriptor = await describe(c, job.id, signal);
      const progress = jobProgress(descriptor);
      onProgress(progress);
      const outcome = jobOutcome(progress.status);
      if (outcome === "failed" || outcome === "cancelled")
        throw new BacklogJobEndedError(job.id, progress.status, jobFailureText(descriptor));
      if (outcome === "complete") return summarize(c, job.id, progress, signal);
      // Back off while the job stands still; ask again soon once it moves.
      const moved = progress.processed !== lastProcessed || progress.status !== lastStatus;
      wait = moved ? poll.initialMs : Math.min(poll.maxMs, Math.round(wait * poll.factor));
      lastProcessed = progress.processed;
      lastStatus = progress.status;
      try {
        await sleep(wait, signal);
      } catch (error) {
        throw new FollowStoppedError(job.id, { cause: error });
      }
    }
  }

  async function summarize(
    c: Context,
    jobId: string,
    progress: BacklogProgress,
    signal?: AbortSignal,
  ): Promise<BacklogSummary> {
    const b = c.outputs.backlogScanning;
    const report = await readCompletionReport(c.s3, b.reportBucketName, b.reportPrefix, jobId, signal);
    if (!report)
      return {
        scanned: 0,
        clean: 0,
        infected: 0,
        unscannable: 0,
        failed: progress.failed,
        alreadyScanned: 0,
        report: `none: job ${jobId} invoked no task (no object matched)`,
      };
    return { ...report.counts, report: report.uri };
  }

  async function definitionsVersion(c: Context): Promise<string | undefined> {
    const bucket = c.outputs.definitionsBucketName;
    if (!bucket) return undefined;
    const key = manifestKey(options.definitionsPrefix ?? SETTINGS.definitionsPrefix.default);
    try {
      const answer = await callAws("s3:GetObject", () =>
        c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
      );
      return answer.Body ? parseManifest(await answer.Body.transformToString("utf-8")).version : undefined;
    } catch (error) {
      if ((error as { name?: string }).name === "NoSuchKey") return undefined;
      throw error;
    }
  }

  async function status(bucket: string): Promise<BucketStatus> {
    const c = await ctx();
    bucketKey(c.outputs, bucket);
    const unfinished = jobsOfBucket(
      await listJobs(c, unfinishedJobsRequest(c.accountId).JobStatuses),
      bucket,
    );
    const completed = jobsOfBucket(await listJobs(c, [JobStatus.Complete]), bucket);
    const newest = completed.sort(
      (x, y) =>
        (y.TerminationDate ?? y.CreationTime ?? new Date(0)).getTime() -
        (x.TerminationDate ?? x.CreationTime ?? new Date(0)).getTime(),
    )[0];
    const counts: Record<string, number> = {};
    if (newest?.JobId) {
      const b = c.outputs.backlogScanning;
      const report = await readCompletionReport(c.s3, b.reportBucketName, b.reportPrefix, newest.JobId);
      if (report) {
        const { clean, infected, unscannable, failed } = report.counts;
        Object.assign(counts, { clean, infected, unscannable, failed });
      }
    }
    return {
      bucket,
      counts,
      definitionsVersion: await definitionsVersion(c),
      backlog: unfinished.map((j) => jobProgress(j)),
    };
  }

  return { start, follow, status };
}
