/**
 * What the scanner does with a failed SQS message: a transient failure comes back after a back-off of
 * seconds to minutes (ChangeMessageVisibility), not after the queue's visibility timeout (six times
 * the function's, 90 minutes by default); a permanent one is done on its first try.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { BucketwardenError, TagLimitError } from "../../core/errors";

/** The first retry's delay. */
export const RETRY_BASE_SECONDS = 10;
/** The longest delay: later retries wait this long. */
export const RETRY_MAX_SECONDS = 15 * 60;

/**
 * Seconds until a message received `receiveCount` times is tried again: 10, 20, 40, 80, 160 s...,
 * at most 15 minutes. With the queue's 5 receives, a message is dead-lettered after about 5 minutes
 * of failures instead of 7.5 hours.
 */
export function retryDelaySeconds(receiveCount: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  return Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.min(n - 1, 20));
}

/** S3 answers that no retry can change. */
const PERMANENT_S3_ERRORS = new Set(["InvalidTag", "InvalidTagError"]);

/**
 * Whether retrying cannot help: the verdict cannot be written without dropping the uploader's tags
 * (the 10-tag limit), or S3 refuses the tag set itself. The object then stays unreadable: no verdict
 * is the fail-closed one.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof TagLimitError) return true;
  const name = (error as { name?: string; Code?: string })?.name ?? (error as { Code?: string })?.Code;
  return typeof name === "string" && PERMANENT_S3_ERRORS.has(name);
}

/** A message to be tried again later. */
export interface RetryingMessage {
  messageId: string;
  receiptHandle: string;
  /** ARN of the queue it came from (the record's `eventSourceARN`). */
  queueArn: string;
  receiveCount: number;
}

/** Makes a failed message visible again after `seconds`. */
export type DelayRetry = (message: RetryingMessage, seconds: number) => Promise<void>;

/** The queue's URL from its ARN (`arn:<partition>:sqs:<region>:<account>:<name>`). */
export function queueUrlFromArn(arn: string): string {
  const [, partition, service, region, account, name] = arn.split(":");
  if (service !== "sqs" || !region || !account || !name)
    throw new BucketwardenError(`not an SQS queue ARN: ${arn}`);
  const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** The back-off on AWS: ChangeMessageVisibility on the message's own queue. */
export function sqsDelayRetry(sqs: SQSClient): DelayRetry {
  return async (message, seconds) => {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrlFromArn(message.queueArn),
        ReceiptHandle: message.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  };
}

/** The SQS fields of an event's records by message id (parsing the S3 events is core's; these are not). */
export function retryingMessages(event: unknown): Map<string, RetryingMessage> {
  const found = new Map<string, RetryingMessage>();
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return found;
  for (const r of records as Array<Record<string, unknown>>) {
    const attributes = (r?.attributes ?? {}) as Record<string, unknown>;
    if (r?.eventSource !== "aws:sqs" || typeof r.messageId !== "string") continue;
    if (typeof r.receiptHandle !== "string" || typeof r.eventSourceARN !== "string") continue;
    found.set(r.messageId, {
      messageId: r.messageId,
      receiptHandle: r.receiptHandle,
      queueArn: r.eventSourceARN,
      receiveCount: Number(attributes.ApproximateReceiveCount ?? 1),
    });
  }
  return found;
}
