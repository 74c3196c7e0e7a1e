/**
 * S3 Batch Operations' "Invoke AWS Lambda function" operation: the event it sends the scanner and the
 * answer it expects, parsed and built in one place. A backlog scan or a rescan is a Batch Operations
 * job whose tasks are objects; the scanner answers each task with `Succeeded`, `TemporaryFailure`
 * (Batch Operations retries it) or `PermanentFailure` (it goes to the completion report as failed).
 *
 * Shapes, from AWS's documentation (not measured here: there is no AWS on this machine):
 * - S3 User Guide, "Invoke AWS Lambda function"
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html) and the
 *   Lambda Developer Guide, "Invoke a Lambda function with Amazon S3 batch events"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-s3-batch.html): the request
 *   `{invocationSchemaVersion, invocationId, job: {id}, tasks: [{taskId, s3Key, s3VersionId, s3BucketArn}]}`
 *   and the response `{invocationSchemaVersion, treatMissingKeysAs, invocationId,
 *   results: [{taskId, resultCode, resultString}]}`; `resultString` is saved in the completion report.
 * - S3 API Reference, `LambdaInvokeOperation.InvocationSchemaVersion`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_LambdaInvokeOperation.html): 1.0 is
 *   the default; 2.0 is required for `UserArguments` (passed as `job.userArguments`) and for directory
 *   buckets, and names the bucket (`s3Bucket`) rather than its ARN.
 * - Key encoding: the tasks' `s3Key` is URL-encoded, as manifests and S3 Inventory reports are. AWS's
 *   own example decodes it with Python's `unquote`; Powertools for AWS Lambda (Python) decodes it with
 *   `unquote_plus` in both schemas and reports that this was checked against S3 Batch Operations
 *   (aws-powertools/powertools-lambda-python#3572). Form decoding (`+` is a space) is what
 *   {@link decodeS3Key} already does for event notifications; it decodes every key `unquote` would
 *   decode, except a literal `+`, which an encoder that writes spaces as `%20` writes as `%2B`.
 */
import { EventParseError } from "./errors";
import { decodeS3Key, type ObjectRef } from "./events";

/** The invocation schema versions the scanner understands. */
export const BatchSchemaVersion = {
  /** The default: tasks name the bucket by ARN (`s3BucketArn`). */
  V1: "1.0",
  /** Tasks name the bucket (`s3Bucket`); the job may carry `userArguments`. */
  V2: "2.0",
} as const;
export type BatchSchemaVersion = (typeof BatchSchemaVersion)[keyof typeof BatchSchemaVersion];

/** What the scanner reports for one task. */
export const BatchResultCode = {
  /** Done: the object has its verdict (or already had one from the current definitions). */
  Succeeded: "Succeeded",
  /** Not done, and a retry may help: Batch Operations invokes the task again. */
  TemporaryFailure: "TemporaryFailure",
  /** Not done, and no retry can help: the task is reported failed. */
  PermanentFailure: "PermanentFailure",
} as const;
export type BatchResultCode = (typeof BatchResultCode)[keyof typeof BatchResultCode];

/** One task of an invocation: the object it names, or why it names none. */
export interface BatchTask {
  taskId: string;
  /** The object to scan; absent when the task could not be read ({@link error} says why). */
  object?: ObjectRef;
  error?: EventParseError;
}

/** One invocation by a Batch Operations job. */
export interface BatchInvocation {
  schemaVersion: BatchSchemaVersion;
  invocationId: string;
  jobId: string;
  /** The job's `UserArguments` (schema 2.0); empty when it has none. */
  userArguments: Readonly<Record<string, string>>;
  tasks: BatchTask[];
}

/** The result of one task, as Batch Operations reads it. */
export interface BatchTaskResult {
  taskId: string;
  resultCode: BatchResultCode;
  /** Saved in the job's completion report; at most {@link MAX_RESULT_STRING_LENGTH} characters. */
  resultString: string;
}

/** What the scanner returns to Batch Operations. */
export interface BatchOperationsResponse {
  invocationSchemaVersion: BatchSchemaVersion;
  /**
   * How Batch Operations counts a task the response leaves out. A task the scanner could not even
   * name cannot have been scanned: it must not pass as done.
   */
  treatMissingKeysAs: typeof BatchResultCode.PermanentFailure;
  invocationId: string;
  results: BatchTaskResult[];
}

/**
 * The longest `resultString` returned. The completion report is a CSV that people read; an S3 error's
 * message can carry a long text, and the verdicts are short.
 */
export const MAX_RESULT_STRING_LENGTH = 512;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

const SCHEMA_VERSIONS: ReadonlySet<string> = new Set(Object.values(BatchSchemaVersion));

/**
 * Whether Lambda was invoked by a Batch Operations job: S3 and SQS events carry `Records`, a Batch
 * Operations event carries `invocationSchemaVersion` and `tasks` instead.
 */
export function isBatchOperationsEvent(event: unknown): boolean {
  return isRecord(event) && "invocationSchemaVersion" in event && "tasks" in event;
}

/** The bucket name of an S3 bucket ARN (`arn:<partition>:s3:::<name>`). */
function bucketOfArn(arn: string): string | undefined {
  const match = /^arn:[a-z-]+:s3:::([^/]+)$/.exec(arn);
  return match?.[1];
}

function parseTask(schemaVersion: BatchSchemaVersion, task: Record<string, unknown>, i: number): BatchTask {
  const taskId = str(task.taskId);
  if (!taskId) throw new EventParseError(`task ${i} has no taskId`);
  try {
    let bucket: string | undefined;
    if (schemaVersion === BatchSchemaVersion.V1) {
      const arn = str(task.s3BucketArn);
      if (!arn) throw new EventParseError(`task ${taskId} has no s3BucketArn`);
      bucket = bucketOfArn(arn);
      if (!bucket) throw new EventParseError(`task ${taskId}: "${arn}" is not an S3 bucket ARN`);
    } else {
      bucket = str(task.s3Bucket);
      if (!bucket) throw new EventParseError(`task ${taskId} has no s3Bucket`);
    }
    const rawKey = str(task.s3Key);
    if (!rawKey) throw new EventParseError(`task ${taskId} has no s3Key`);
    // An unversioned bucket's tasks carry `s3VersionId: null`.
    const versionId = str(task.s3VersionId);
    return { taskId, object: { bucket, key: decodeS3Key(rawKey), ...(versionId ? { versionId } : {}) } };
  } catch (error) {
    if (!(error instanceof EventParseError)) throw error;
    return { taskId, error };
  }
}

/**
 * Parses a Batch Operations event. A task whose object cannot be read comes back with its error, not
 * thrown, so that it is answered `PermanentFailure` and the other tasks still run. An event that is
 * not a Batch Operations invocation at all (no `invocationId`, an unknown schema version, a task
 * without a `taskId`) throws {@link EventParseError}: no answer to it could be matched to its tasks.
 */
export function parseBatchOperationsEvent(event: unknown): BatchInvocation {
  if (!isRecord(event)) throw new EventParseError("event is not an object");
  const version = event.invocationSchemaVersion;
  if (typeof version !== "string" || !SCHEMA_VERSIONS.has(version))
    throw new EventParseError(
      `Batch Operations invocation schema "${String(version)}" is not one of ${[...SCHEMA_VERSIONS].join(", ")}`,
    );
  const schemaVersion = version as BatchSchemaVersion;
  const invocationId = str(event.invocationId);
  if (!invocationId) throw new EventParseError("Batch Operations event has no invocationId");
  const job = isRecord(event.job) ? event.job : {};
  const jobId = str(job.id);
  if (!jobId) throw new EventParseError("Batch Operations event has no job id");
  const userArguments: Record<string, string> = {};
  if (isRecord(job.userArguments))
    for (const [k, v] of Object.entries(job.userArguments)) if (typeof v === "string") userArguments[k] = v;
  if (!Array.isArray(event.tasks)) throw new EventParseError("Batch Operations event has no tasks array");
  const tasks = event.tasks.map((task, i) => {
    if (!isRecord(task)) throw new EventParseError(`task ${i} is not an object`);
    return parseTask(schemaVersion, task, i);
  });
  return { schemaVersion, invocationId, jobId, userArguments, tasks };
}

/** Shortens a result string to {@link MAX_RESULT_STRING_LENGTH}, marking the cut. */
export function boundedResultString(text: string): string {
  return text.length <= MAX_RESULT_STRING_LENGTH ? text : `${text.slice(0, MAX_RESULT_STRING_LENGTH - 1)}…`;
}

/** The answer to `invocation`: its schema version and id echoed, one result per task given. */
export function batchOperationsResponse(
  invocation: Pick<BatchInvocation, "schemaVersion" | "invocationId">,
  results: readonly BatchTaskResult[],
): BatchOperationsResponse {
  return {
    invocationSchemaVersion: invocation.schemaVersion,
    treatMissingKeysAs: BatchResultCode.PermanentFailure,
    invocationId: invocation.invocationId,
    results: results.map((r) => ({ ...r, resultString: boundedResultString(r.resultString) })),
  };
}
