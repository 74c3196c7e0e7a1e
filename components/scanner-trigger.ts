import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { eventQueuePolicy } from "../core/iam";
import { autonamed, childName } from "../core/naming";
import { SCAN_EVENTS } from "../core/notifications";
import { QUEUE_MAX_RECEIVE_COUNT, queueVisibilityTimeoutSeconds } from "../core/sizing";

/** SQS's longest retention: a scanner outage over a long weekend must not lose events. */
const RETENTION_SECONDS = 1_209_600;

export interface ScanQueues {
  /** The queue S3 writes events to (trigger "queue" only). */
  queue?: aws.sqs.Queue;
  /** Where events go that could not be scanned, in either trigger mode. */
  deadLetterQueue: aws.sqs.Queue;
}

/** The queues, made before the function because its role names them. */
export function scanQueues(
  name: string,
  args: { useQueue: boolean; functionTimeoutSeconds: number },
  parent: pulumi.Resource,
): ScanQueues {
  const deadLetterQueue = new aws.sqs.Queue(
    autonamed(childName(name, "dead-letters"), "queue"),
    { messageRetentionSeconds: RETENTION_SECONDS, sqsManagedSseEnabled: true },
    { parent },
  );
  if (!args.useQueue) return { deadLetterQueue };
  const queue = new aws.sqs.Queue(
    autonamed(childName(name, "events"), "queue"),
    {
      visibilityTimeoutSeconds: queueVisibilityTimeoutSeconds(args.functionTimeoutSeconds),
      messageRetentionSeconds: RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
      redrivePolicy: deadLetterQueue.arn.apply((deadLetterTargetArn) =>
        // One try per retry delay the scanner sets (core/sizing): dead-lettered within the hour.
        JSON.stringify({ deadLetterTargetArn, maxReceiveCount: QUEUE_MAX_RECEIVE_COUNT }),
      ),
    },
    { parent },
  );
  return { queue, deadLetterQueue };
}

/** The scanner's part of the bucket's notification configuration, and what it must wait for. */
export interface ScanTrigger {
  queues: aws.types.input.s3.BucketNotificationQueue[];
  lambdaFunctions: aws.types.input.s3.BucketNotificationLambdaFunction[];
  /** S3 checks the destination when the notification is written, so its permission must exist first. */
  dependsOn: pulumi.Resource[];
}

interface TriggerArgs {
  fn: aws.lambda.Function;
  /** The scanner role's policy: Lambda checks the role can read the queue when the mapping is made. */
  rolePolicy: pulumi.Resource;
  bucketArn: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** Resources the first scan should wait for (the definitions' first update). */
  waitFor: pulumi.Resource[];
}

/** S3 → SQS → Lambda: events are kept while the scanner is down, retried, and dead-lettered at last. */
export function queueTrigger(
  name: string,
  args: TriggerArgs & { queue: aws.sqs.Queue; batchSize: number; maxConcurrency: number },
  parent: pulumi.Resource,
): ScanTrigger {
  const queuePolicy = new aws.sqs.QueuePolicy(
    childName(name, "events-policy"),
    {
      queueUrl: args.queue.url,
      policy: pulumi
        .all([args.queue.arn, args.bucketArn, args.accountId])
        .apply(([queueArn, bucketArn, accountId]) =>
          JSON.stringify(eventQueuePolicy({ queueArn, bucketArn, accountId })),
        ),
    },
    { parent },
  );
  // Until the definitions exist, events wait in the queue instead of failing towards the DLQ.
  new aws.lambda.EventSourceMapping(
    childName(name, "events-mapping"),
    {
      eventSourceArn: args.queue.arn,
      functionName: args.fn.arn,
      batchSize: args.batchSize,
      // One failed object fails alone; the rest of the batch is deleted from the queue.
      functionResponseTypes: ["ReportBatchItemFailures"],
      // Each concurrent scanner loads the whole database: cap them.
      scalingConfig: { maximumConcurrency: args.maxConcurrency },
    },
    { parent, dependsOn: [args.rolePolicy, ...args.waitFor] },
  );
  return {
    queues: [{ queueArn: args.queue.arn, events: [...SCAN_EVENTS] }],
    lambdaFunctions: [],
    dependsOn: [queuePolicy],
  };
}

/**
 * S3 → Lambda, as in the seed: simpler, but S3 invokes asynchronously, so events Lambda gives up on
 * after its retries are sent to the dead-letter queue instead of being lost.
 */
export function directTrigger(
  name: string,
  args: TriggerArgs & { deadLetterQueue: aws.sqs.Queue },
  parent: pulumi.Resource,
): ScanTrigger {
  new aws.lambda.FunctionEventInvokeConfig(
    childName(name, "async-config"),
    {
      functionName: args.fn.name,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: args.deadLetterQueue.arn } },
    },
    { parent, dependsOn: [args.rolePolicy] },
  );
  const permission = new aws.lambda.Permission(
    autonamed(childName(name, "s3-permission"), "permission"),
    {
      action: "lambda:InvokeFunction",
      function: args.fn.name,
      principal: "s3.amazonaws.com",
      sourceArn: args.bucketArn,
      // Bucket names are global: without the account, a bucket of that name elsewhere could invoke it.
      sourceAccount: args.accountId,
    },
    { parent },
  );
  return {
    queues: [],
    lambdaFunctions: [{ lambdaFunctionArn: args.fn.arn, events: [...SCAN_EVENTS] }],
    dependsOn: [permission, ...args.waitFor],
  };
}
