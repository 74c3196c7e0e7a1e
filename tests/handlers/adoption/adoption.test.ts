/**
 * The adoption function on the real store: it captures an adopted bucket's policy and notification
 * configuration at adoption and puts them back when the bucket leaves the stack, whatever the
 * component wrote meanwhile; it refuses an adoption that would lose live notification entries.
 */
import assert from "node:assert/strict";
import {
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import sinon from "sinon";
import { type AdoptionRequest, unkeptNotificationEntries } from "../../../core/adoption";
import { ConfigError } from "../../../core/errors";
import { handleAdoption } from "../../../handlers/adoption";
import { createBucket, statusOf } from "../support/buckets";
import { RecordingLog } from "../support/handlers";
import { clientAs } from "../support/store";

const NOTHING_KEPT = { queueArns: [], topicArns: [], lambdaFunctionArns: [], eventbridge: false };

describe("adoption function: capture at adoption, restore on destroy, on the real store", () => {
  let owner: S3Client;
  let stateBucket: string;
  const log = new RecordingLog();

  before(async function () {
    this.timeout(60_000);
    owner = await clientAs("owner");
    stateBucket = await createBucket("adopt-state");
  });

  const request = (bucket: string, action: string): AdoptionRequest => ({
    bucketwarden: "adopt-bucket",
    bucket,
    state: { bucket: stateBucket, key: `clamav/adoption/${bucket}.json` },
    kept: NOTHING_KEPT,
    tf: { action },
  });
  const policyOf = async (bucket: string) =>
    (await owner.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? "";
  const put = (bucket: string, sid: string) =>
    owner.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: sid,
              Effect: "Deny",
              Principal: "*",
              Action: "s3:DeleteObject",
              Resource: `arn:aws:s3:::${bucket}/*`,
            },
          ],
        }),
      }),
    );

  it("puts the pre-adoption policy back on destroy, not the one written since", async () => {
    const bucket = await createBucket("adopted");
    await put(bucket, "TheirsBeforeAdoption");
    const created = await handleAdoption({ s3: owner, log }, request(bucket, "create"));
    assert.equal(created.captured, true);
    await put(bucket, "BucketwardenDenyInfectedReads");
    // A later deploy (update), and a retried create, keep the first capture.
    await handleAdoption({ s3: owner, log }, request(bucket, "update"));
    assert.equal((await handleAdoption({ s3: owner, log }, request(bucket, "create"))).captured, false);
    const deleted = await handleAdoption({ s3: owner, log }, request(bucket, "delete"));
    assert.equal(deleted.restored, true);
    assert.match(await policyOf(bucket), /TheirsBeforeAdoption/);
    assert.doesNotMatch(await policyOf(bucket), /Bucketwarden/);
  });

  it("leaves a bucket that had no policy without one", async () => {
    const bucket = await createBucket("adopted-bare");
    await handleAdoption({ s3: owner, log }, request(bucket, "create"));
    await put(bucket, "BucketwardenDenyInfectedReads");
    await handleAdoption({ s3: owner, log }, request(bucket, "delete"));
    assert.equal(await statusOf(owner.send(new GetBucketPolicyCommand({ Bucket: bucket }))), 404);
    const notifications = await owner.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    assert.equal(notifications.TopicConfigurations?.length ?? 0, 0);
  });

  it("refuses an adoption whose live notification entries were not passed, listing them", async () => {
    const s3 = { send: sinon.stub() };
    s3.send.onFirstCall().resolves({
      QueueConfigurations: [
        { QueueArn: "arn:aws:sqs:us-east-1:123456789012:thumbnails", Events: ["s3:ObjectCreated:*"] },
      ],
      TopicConfigurations: [
        { TopicArn: "arn:aws:sns:us-east-1:123456789012:audit", Events: ["s3:ObjectRemoved:*"] },
      ],
    });
    await assert.rejects(
      () =>
        handleAdoption(
          { s3, log },
          {
            ...request("acme-avatars", "create"),
            kept: { ...NOTHING_KEPT, topicArns: ["arn:aws:sns:us-east-1:123456789012:audit"] },
          },
        ),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.setting === "extraNotifications" &&
        /1 entry not passed in extraNotifications would be lost: queue arn:aws:sqs:us-east-1:123456789012:thumbnails for s3:ObjectCreated:\*/.test(
          e.message,
        ),
    );
    assert.equal(s3.send.callCount, 1, "nothing captured or written");
  });

  it("names every kind of unkept entry, EventBridge included", () => {
    assert.deepEqual(
      unkeptNotificationEntries(
        {
          LambdaFunctionConfigurations: [{ LambdaFunctionArn: "arn:fn", Events: ["s3:ObjectCreated:Put"] }],
          EventBridgeConfiguration: {},
        },
        NOTHING_KEPT,
      ),
      ["function arn:fn for s3:ObjectCreated:Put", "EventBridge delivery of every event"],
    );
    assert.deepEqual(
      unkeptNotificationEntries({ EventBridgeConfiguration: {} }, { ...NOTHING_KEPT, eventbridge: true }),
      [],
    );
  });
});
