/**
 * The adoption function (UploadScanner, adopted buckets): invoked by an `aws.lambda.Invocation` with
 * lifecycleScope CRUD, whose stored input is an {@link AdoptionRequest}; Pulumi adds `tf.action`.
 * - `create` (adoption, before the component writes anything to the bucket): reads the live policy and
 *   notification configuration, refuses (the deploy stops) when live notification entries were not
 *   passed in `extraNotifications`, listing them, and keeps the configuration in the definitions
 *   bucket, once: an existing capture (a retried adoption) is never replaced by what the component wrote.
 * - `update`: nothing; the capture stays the pre-adoption one.
 * - `delete` (the bucket leaves the stack, after the component's policy and notification are gone):
 *   puts the captured policy (or none) and notification configuration back, then drops the capture.
 */
import {
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  type AdoptionRequest,
  type CapturedConfiguration,
  type LiveNotifications,
  unkeptNotificationEntries,
  unkeptNotificationsRefusal,
} from "../../core/adoption";
import { ConfigError, EventParseError } from "../../core/errors";
import { type Log, powertoolsLog } from "../shared/logger";
import { bodyBytes, classifyS3Error, S3Failure } from "../shared/s3";

export type AdoptionClient = Pick<S3Client, "send">;

/** What the invocation's `result` holds. */
export interface AdoptionResult {
  action: string;
  bucket: string;
  captured?: boolean;
  restored?: boolean;
}

function parseRequest(event: unknown): AdoptionRequest {
  const e = event as Partial<AdoptionRequest> | null;
  if (e?.bucketwarden !== "adopt-bucket" || typeof e.bucket !== "string" || !e.state || !e.kept)
    throw new EventParseError("not an adopt-bucket event");
  return e as AdoptionRequest;
}

async function livePolicy(s3: AdoptionClient, bucket: string): Promise<string | undefined> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchBucketPolicy") return undefined;
    throw error;
  }
}

async function liveNotifications(s3: AdoptionClient, bucket: string): Promise<LiveNotifications> {
  const out = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  return {
    ...(out.QueueConfigurations?.length && { QueueConfigurations: out.QueueConfigurations }),
    ...(out.TopicConfigurations?.length && { TopicConfigurations: out.TopicConfigurations }),
    ...(out.LambdaFunctionConfigurations?.length && {
      LambdaFunctionConfigurations: out.LambdaFunctionConfigurations,
    }),
    ...(out.EventBridgeConfiguration && { EventBridgeConfiguration: out.EventBridgeConfiguration }),
  } as LiveNotifications;
}

/** Handles one lifecycle event; throws {@link ConfigError} to refuse an adoption that would lose entries. */
export async function handleAdoption(
  deps: { s3: AdoptionClient; log: Log; now?: () => Date },
  event: unknown,
): Promise<AdoptionResult> {
  const request = parseRequest(event);
  const action = request.tf?.action ?? "create";
  const { s3, log } = deps;
  const { bucket, state } = request;
  if (action === "create") {
    const notifications = await liveNotifications(s3, bucket);
    const lost = unkeptNotificationEntries(notifications, request.kept);
    if (lost.length > 0)
      throw new ConfigError("extraNotifications", unkeptNotificationsRefusal(bucket, lost));
    const captured: CapturedConfiguration = {
      bucket,
      capturedAt: (deps.now?.() ?? new Date()).toISOString(),
      policy: await livePolicy(s3, bucket),
      notifications,
    };
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: state.bucket,
          Key: state.key,
          Body: JSON.stringify(captured),
          ContentType: "application/json",
          IfNoneMatch: "*",
        }),
      );
    } catch (error) {
      // A capture from an earlier attempt is the pre-adoption one: keep it.
      if (classifyS3Error(error) !== S3Failure.PreconditionFailed) throw error;
      log.info("pre-adoption configuration already captured", { bucket });
      return { action, bucket, captured: false };
    }
    log.info("pre-adoption configuration captured", { bucket, hasPolicy: captured.policy !== undefined });
    return { action, bucket, captured: true };
  }
  if (action !== "delete") return { action, bucket };
  let captured: CapturedConfiguration;
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: state.bucket, Key: state.key }));
    captured = JSON.parse((await bodyBytes(got.Body)).toString("utf8"));
  } catch (error) {
    if (classifyS3Error(error) !== S3Failure.NotFound) throw error;
    log.warn("no pre-adoption configuration captured; nothing to restore", { bucket });
    return { action, bucket, restored: false };
  }
  if (captured.policy !== undefined)
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: captured.policy }));
  else await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  // None captured: the component's BucketNotification, deleted before this runs, left the
  // configuration empty already (and Ceph RGW refuses an empty one as MalformedXML).
  if (Object.keys(captured.notifications).length > 0)
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: captured.notifications as never,
      }),
    );
  await s3.send(new DeleteObjectCommand({ Bucket: state.bucket, Key: state.key }));
  log.info("pre-adoption configuration restored", { bucket, capturedAt: captured.capturedAt });
  return { action, bucket, restored: true };
}

/** Lambda handler. */
export async function handler(event: unknown): Promise<AdoptionResult> {
  return handleAdoption({ s3: new S3Client({}), log: powertoolsLog("bucketwarden-adoption") }, event);
}
