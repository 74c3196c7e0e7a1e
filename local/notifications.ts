/**
 * The store's object-created notifications, pushed to the runner's receiver through a persistent
 * topic. Each runner start makes a topic of its own and retires the previous ones, because of how the
 * store (Ceph RGW 16.2) behaves, measured here:
 * - once a push has failed (the receiver was down), the topic's queue stops delivering for good, even
 *   to a receiver that is back; a fresh topic delivers;
 * - a bucket keeps a copy of the topic's endpoint from when it was configured, and
 *   PutBucketNotificationConfiguration adds entries instead of replacing them;
 * - deleting a topic that a bucket still names makes every upload to that bucket fail, so the bucket's
 *   entry goes first;
 * - an entry is stored under `<entry id>_<topic>` for all buckets alike: two buckets with the same
 *   entry id share it, and deleting it from one silently leaves the other naming a missing topic. So
 *   entry ids name their bucket too;
 * - a new topic's first delivery comes 1-30 s after it is created (the store re-reads its queue list
 *   every 30 s), which is why the runner probes it before calling itself ready, and why each runner
 *   sets a spare topic aside for the next one: by then the store knows it, and it delivers at once.
 * Objects uploaded while no topic delivered are found by the runner's reconcile.
 */
import { type AddressInfo, createServer } from "node:net";
import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListTopicsCommand,
  type SNSClient,
} from "@aws-sdk/client-sns";
import { SCAN_EVENTS } from "../core/notifications";
import { PipelineStartError } from "./errors";

/** Every topic and notification entry local mode makes starts with this. */
export const TOPIC_PREFIX = "bucketwarden-local-";

/** A topic made ahead of time, not yet named by any bucket, pushing to a port nothing listens on yet. */
export interface SpareTopic {
  topicName: string;
  port: number;
}

/** Makes a spare topic pushing to a loopback port that is free now. */
export async function createSpareTopic(sns: SNSClient): Promise<SpareTopic> {
  const port = await freeLoopbackPort();
  const topicName = `${TOPIC_PREFIX}${Date.now().toString(36)}-${port}`;
  await sns.send(
    new CreateTopicCommand({
      Name: topicName,
      Attributes: { "push-endpoint": `http://127.0.0.1:${port}`, persistent: "true" },
    }),
  );
  return { topicName, port };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Subscription {
  topicName: string;
  topicArn: string;
}

/**
 * Makes topic `topicName` pushing to `endpoint` (or finds it made), points each bucket's
 * object-created events at it, then removes earlier local-mode entries and topics (in that order:
 * see above), except the topics named in `keep`.
 */
export async function subscribe(opts: {
  s3: S3Client;
  sns: SNSClient;
  buckets: readonly string[];
  endpoint: string;
  topicName: string;
  keep?: readonly string[];
}): Promise<Subscription> {
  const { s3, sns, buckets, topicName } = opts;
  const { TopicArn: topicArn } = await sns.send(
    new CreateTopicCommand({
      Name: topicName,
      Attributes: { "push-endpoint": opts.endpoint, persistent: "true" },
    }),
  );
  if (!topicArn) throw new PipelineStartError(`the store did not return an ARN for topic ${topicName}`);
  for (const bucket of buckets) {
    const id = entryId(topicName, bucket);
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          TopicConfigurations: [{ Id: id, TopicArn: topicArn, Events: [...SCAN_EVENTS] }],
        },
      }),
    );
    const stale = async () =>
      (
        (await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket })))
          .TopicConfigurations ?? []
      )
        .map((e) => e.Id ?? "")
        .filter((e) => e.startsWith(TOPIC_PREFIX) && e !== id);
    for (const old of await stale()) await deleteBucketNotification(s3, bucket, old);
    const left = await stale();
    if (left.length > 0) {
      // Left behind as described above; it names a topic that is gone, so uploads to the bucket fail.
      throw new PipelineStartError(
        `the store will not remove notification entries ${left.join(", ")} of bucket ${bucket}; ` +
          "a fresh store (npm stop, then npm start) has none",
      );
    }
  }
  const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
  const keep = new Set([topicName, ...(opts.keep ?? [])]);
  const stale = new Set(
    Topics.map((t) => t.TopicArn ?? "").filter((arn) => {
      const name = arn.split(":").pop() ?? "";
      return name.startsWith(TOPIC_PREFIX) && !keep.has(name);
    }),
  );
  for (const arn of stale) await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
  return { topicName, topicArn };
}

/** The id of `bucket`'s entry for topic `topicName`. */
export function entryId(topicName: string, bucket: string): string {
  return `${topicName}.${bucket}`;
}

/**
 * `DELETE /<bucket>?notification=<id>`: the store's way to remove one entry, which the SDK has no
 * command for. Sent as a GetBucketNotificationConfiguration turned into that request before signing,
 * so it is signed like any other call.
 */
export async function deleteBucketNotification(s3: S3Client, bucket: string, id: string): Promise<void> {
  const command = new GetBucketNotificationConfigurationCommand({ Bucket: bucket });
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { method: string; query: Record<string, string> };
      request.method = "DELETE";
      request.query = { notification: id };
      return next(args);
    },
    { step: "build", name: "bucketwardenDeleteNotification" },
  );
  await s3.send(command);
}
