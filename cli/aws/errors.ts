/**
 * What can stop the AWS backend, as typed errors (core/errors root) that name what to do about it.
 */
import { BucketwardenError } from "../../core/errors";

/** The stack's outputs lack what the CLI needs (backlog scanning off, or not the bucketwarden stack). */
export class MissingOutputsError extends BucketwardenError {
  constructor(
    /** The output's path, e.g. `backlogScanning.jobRoleArn`. */
    readonly output: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`stack output ${output}: ${message}`, options);
  }
}

/** The bucket named on the command line is not one of the stack's upload buckets. */
export class UnknownBucketError extends BucketwardenError {
  constructor(
    readonly bucket: string,
    readonly known: readonly string[],
  ) {
    super(
      `"${bucket}" is not an upload bucket of this stack; its upload buckets are: ${known.join(", ") || "(none)"}`,
    );
  }
}

/** AWS refused a call for want of a permission. */
export class AwsAccessDeniedError extends BucketwardenError {
  constructor(
    /** The API operation refused, e.g. `s3control:CreateJob`. */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`access denied to ${operation}; the credentials in use need that permission${detail}`, options);
  }
}

/** The AWS SDK found no credentials to sign with. */
export class AwsCredentialsError extends BucketwardenError {
  constructor(options?: { cause?: unknown }) {
    super(
      "no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`)",
      options,
    );
  }
}

/** A Batch Operations job ended without finishing (Failed or Cancelled). */
export class BacklogJobEndedError extends BucketwardenError {
  constructor(
    readonly jobId: string,
    /** `Failed` or `Cancelled`. */
    readonly status: string,
    /** Its failure reasons, as DescribeJob gives them. */
    readonly reasons: string,
  ) {
    super(`Batch Operations job ${jobId} ${status.toLowerCase()}: ${reasons}`);
  }
}

/** Following a job stopped because the caller aborted; the job itself goes on. */
export class FollowStoppedError extends BucketwardenError {
  constructor(
    readonly jobId: string,
    options?: { cause?: unknown },
  ) {
    super(`stopped following job ${jobId}; it goes on, and running the command again follows it`, options);
  }
}
