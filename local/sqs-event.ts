/**
 * What the scanner is invoked with: the event an SQS event source hands Lambda, each message holding
 * one S3 event record, as S3 writes to SQS on AWS. Pure.
 */
import { createHash } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { QueuedObject, QueueItem } from "./queue";

/** The local queue's name in ARNs. */
export const LOCAL_QUEUE_NAME = "bucketwarden-local-scan";

/** Encodes a key as S3 does in event notifications: form-style, spaces as `+`, slashes kept. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}

/**
 * An S3 `ObjectCreated:Put` record for an object the runner found by listing the bucket rather than
 * by a notification. Shaped as AWS writes it (key encoded), so the scanner's AWS path parses it.
 */
export function s3RecordFor(object: QueuedObject, region: string, now: Date): Record<string, unknown> {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: region,
    eventTime: now.toISOString(),
    eventName: "ObjectCreated:Put",
    userIdentity: { principalId: "bucketwarden-local-reconcile" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: {},
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "bucketwarden-local-reconcile",
      bucket: {
        name: object.bucket,
        ownerIdentity: { principalId: "" },
        arn: `arn:aws:s3:::${object.bucket}`,
      },
      object: {
        key: encodeS3Key(object.key),
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(object.eTag !== undefined ? { eTag: object.eTag } : {}),
        ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
        sequencer: now.getTime().toString(16).toUpperCase(),
      },
    },
  };
}

/** The SQS event for one batch of queue items; `messageId` is the item's id. */
export function sqsEvent(items: readonly QueueItem[], region: string, now: number): SQSEvent {
  const arn = `arn:aws:sqs:${region}:000000000000:${LOCAL_QUEUE_NAME}`;
  return {
    Records: items.map((item): SQSRecord => {
      const body = JSON.stringify({ Records: [item.record] });
      return {
        messageId: item.id,
        receiptHandle: `${item.id}/${item.attempts + 1}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(item.attempts + 1),
          SentTimestamp: String(item.enqueuedAt),
          SenderId: "bucketwarden-local",
          ApproximateFirstReceiveTimestamp: String(now),
        },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: arn,
        awsRegion: region,
      };
    }),
  };
}
