import * as assert from "node:assert/strict";
import { EnvVars } from "../../core/handler-config";
import { SCAN_EVENTS } from "../../core/notifications";
import { DEFAULT_TAG_SCHEMA, tagSchema } from "../../core/tags";
import { globMatch } from "../../policies/lib/glob";
import { OBJECT_CREATED_EVENTS } from "../../policies/lib/triggers";
import { AwsTypes } from "../../policies/lib/types";
import { uploadBucketScannerTrigger as rule } from "../../policies/rules";
import {
  Arns,
  accessRulePolicy,
  directTriggerStack,
  type FakeStack,
  happyStack,
  Names,
} from "./support/fake-stack";
import { assertPasses, assertViolations, runRule } from "./support/run-rule";

const MUST = 'Upload bucket "uploads-bucket" must send every object-created event to a scanner function';
const run = (stack: FakeStack, config: object = {}) => runRule(rule, stack.args(config));

function addBareBucket(stack: FakeStack, name: string, props: object = {}, type: string = AwsTypes.bucket) {
  return stack.add(type, name, { bucket: `${name}-mock`, arn: `arn:aws:s3:::${name}-mock`, ...props });
}

describe("policy upload-bucket-scanner-trigger", () => {
  it("is mandatory, named in kebab case and described as a check", () => {
    assert.equal(rule.name, "upload-bucket-scanner-trigger");
    assert.equal(rule.enforcementLevel, "mandatory");
    assert.match(rule.description, /^Checks whether /);
  });

  it("passes the stack the components deploy", async () => {
    assertPasses(await run(happyStack()));
  });

  it("treats every object-created event S3 sends as one the component's trigger asks for", () => {
    for (const event of OBJECT_CREATED_EVENTS)
      assert.ok(
        SCAN_EVENTS.some((p) => globMatch(p, event)),
        event,
      );
  });

  it("reports a bucket with no notification, naming it", async () => {
    const stack = addBareBucket(happyStack(), "logs");
    assertViolations(
      await run(stack),
      'Upload bucket "logs" must send every object-created event to a scanner function: it has no BucketNotification',
    );
  });

  it("covers the deprecated BucketV2 type as well", async () => {
    const stack = addBareBucket(happyStack(), "legacy", {}, AwsTypes.bucketV2);
    assertViolations(
      await run(stack),
      'Upload bucket "legacy" must send every object-created event to a scanner function: it has no BucketNotification',
    );
  });

  it("does not treat the definitions bucket as an upload bucket", async () => {
    const result = await run(happyStack());
    assert.ok(!result.violations.some((v) => v.message.includes("defs-bucket")));
  });

  it("exempts a bucket whose exemption tag gives a reason", async () => {
    const stack = addBareBucket(happyStack(), "logs", {
      tags: { "bucketwarden:exempt": "access logs, never served" },
    });
    assertPasses(await run(stack));
  });

  it("does not exempt a bucket whose exemption tag is empty", async () => {
    const stack = addBareBucket(happyStack(), "logs", { tags: { "bucketwarden:exempt": " " } });
    assert.equal((await run(stack)).violations.length, 1);
  });

  it("takes the exemption tag's key from the configuration", async () => {
    const stack = addBareBucket(happyStack(), "logs", { tags: { "acme:not-uploads": "logs" } });
    assertPasses(await run(stack, { exemptionTag: "acme:not-uploads" }));
  });

  it("exempts buckets whose resource name or bucket name matches a configured pattern", async () => {
    const stack = addBareBucket(addBareBucket(happyStack(), "logs"), "audit", { bucket: "acme-audit-trail" });
    assertPasses(await run(stack, { exemptBucketNames: ["logs", "acme-audit-*"] }));
  });

  it("reports a queue that no function reads", async () => {
    const stack = happyStack().remove("uploads-trigger-events-mapping");
    assertViolations(
      await run(stack),
      `${MUST}: queues[0]: Queue "uploads-scanner-events" is read by no Lambda function`,
    );
  });

  it("reports an event source mapping that is disabled", async () => {
    const stack = happyStack();
    stack.props("uploads-trigger-events-mapping").enabled = false;
    assertViolations(
      await run(stack),
      `${MUST}: queues[0]: EventSourceMapping "uploads-trigger-events-mapping" is disabled`,
    );
  });

  it("reports a function that does not run the engine", async () => {
    const stack = happyStack();
    stack.props("uploads-scanner").layers = [];
    stack.get("uploads-scanner").deps = {};
    stack.props("uploads-scanner").environment = { variables: { THUMBNAIL_SIZE: "128" } };
    assertViolations(
      await run(stack),
      `${MUST}: queues[0]: Function "uploads-scanner" does not run the engine (it neither sets ${EnvVars.tagKey} nor has a layer named like *-scanner-x86_64 or *-scanner-arm64 or *clamscan*)`,
    );
  });

  it("recognises the scanner by its layer alone", async () => {
    const stack = happyStack();
    stack.props("uploads-scanner").environment = { variables: {} };
    assertPasses(await run(stack));
  });

  it("recognises the scanner by the scanner's environment alone", async () => {
    const stack = happyStack();
    stack.props("uploads-scanner").layers = [];
    stack.get("uploads-scanner").deps = {};
    assertPasses(await run(stack));
  });

  it("recognises another program's scanner by a layer ARN outside the stack named like clamscan", async () => {
    const stack = happyStack();
    stack.props("uploads-scanner").environment = {};
    stack.props("uploads-scanner").layers = [`arn:aws:lambda:us-east-1:999999999999:layer:clamscanLayer:3`];
    stack.get("uploads-scanner").deps = {};
    assertPasses(await run(stack));
  });

  it("reports a notification that sends no object-created events", async () => {
    const stack = happyStack();
    stack.props("uploads-notifications").queues[0].events = ["s3:ObjectRemoved:*"];
    assertViolations(await run(stack), `${MUST}: queues[0] sends only s3:ObjectRemoved:*`);
  });

  it("names the object-created events a notification leaves out", async () => {
    const stack = happyStack();
    stack.props("uploads-notifications").queues[0].events = ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post"];
    assertViolations(
      await run(stack),
      `${MUST}: s3:ObjectCreated:Copy, s3:ObjectCreated:CompleteMultipartUpload are not sent to one`,
    );
  });

  it("reports a trigger limited to a key prefix", async () => {
    const stack = happyStack();
    stack.props("uploads-notifications").queues[0].filterPrefix = "incoming/";
    assertViolations(await run(stack), `${MUST}: queues[0] sends only objects with prefix "incoming/"`);
  });

  it("reports two notifications, which replace each other", async () => {
    const stack = happyStack().add(
      AwsTypes.bucketNotification,
      "uploads-thumbnails",
      { bucket: Names.uploadBucket, eventbridge: true },
      { deps: { bucket: ["uploads-bucket"] } },
    );
    assertViolations(
      await run(stack),
      'Upload bucket "uploads-bucket" must have one BucketNotification: "uploads-notifications", "uploads-thumbnails" replace each other, since a bucket has one notification configuration',
    );
  });

  it("accepts the seed's direct trigger from S3 to the scanner", async () => {
    assertPasses(await run(directTriggerStack()));
  });

  it("follows a topic to a queue subscription read by the scanner", async () => {
    const topicArn = `arn:aws:sns:us-east-1:${"123456789012"}:uploads-topic`;
    const stack = happyStack()
      .add(AwsTypes.topic, "uploads-topic", { arn: topicArn })
      .add(
        AwsTypes.topicSubscription,
        "uploads-topic-scan",
        { topic: topicArn, protocol: "sqs", endpoint: Arns.eventsQueue },
        { deps: { topic: ["uploads-topic"], endpoint: ["uploads-scanner-events"] } },
      );
    stack.props("uploads-notifications").queues = [];
    stack.props("uploads-notifications").topics = [{ events: [...SCAN_EVENTS], topicArn }];
    stack.get("uploads-notifications").deps = { bucket: ["uploads-bucket"], topics: ["uploads-topic"] };
    assertPasses(await run(stack));
  });

  it("reports a destination outside the stack, which it cannot check", async () => {
    const stack = happyStack();
    const elsewhere = "arn:aws:sqs:us-east-1:999999999999:someone-elses-queue";
    stack.props("uploads-notifications").queues[0].queueArn = elsewhere;
    stack.get("uploads-notifications").deps = { bucket: ["uploads-bucket"] };
    assertViolations(
      await run(stack),
      `${MUST}: queues[0]: BucketNotification "uploads-notifications" points at ${elsewhere}, which is not in this stack`,
    );
  });

  it("checks an existing bucket the stack protects by name", async () => {
    const stack = happyStack()
      .add(AwsTypes.bucketPolicy, "existing-policy", {
        bucket: "acme-existing-uploads",
        policy: accessRulePolicy({ bucket: "acme-existing-uploads" }),
      })
      .add(AwsTypes.bucketNotification, "existing-notifications", {
        bucket: "acme-existing-uploads",
        queues: [{ events: [...SCAN_EVENTS], queueArn: Arns.eventsQueue }],
      });
    assertPasses(await run(stack));
    stack.remove("existing-notifications");
    assertViolations(
      await run(stack),
      'Upload bucket "acme-existing-uploads" (outside this stack) must send every object-created event to a scanner function: it has no BucketNotification',
    );
  });

  it("reports a scanner that writes other verdict tags than the pack checks", async () => {
    const stack = happyStack();
    stack.props("uploads-scanner").environment.variables[EnvVars.tagKey] = "Verdict";
    assertViolations(
      await run(stack),
      `Upload bucket "uploads-bucket" must be scanned with the verdict tags the pack checks: in Function "uploads-scanner", ${EnvVars.tagKey} is "Verdict", the pack expects "Infected"`,
    );
  });

  it("takes the verdict tags from the same settings as the component", async () => {
    const tags = tagSchema(
      { key: "Verdict", infectedValue: "bad", cleanValue: "good" },
      { key: "k", infectedValue: "i", cleanValue: "c", pendingValue: "p", resultKey: "r", stampKey: "s" },
    );
    const config = { tagKey: "Verdict", tagInfectedValue: "bad", tagCleanValue: "good" };
    assertPasses(await run(happyStack({ tags }), config));
    assert.equal((await run(happyStack({ tags: DEFAULT_TAG_SCHEMA }), config)).violations.length, 1);
  });

  it("rejects a tag setting S3 would refuse, naming the rule's setting", async () => {
    await assert.rejects(
      run(happyStack(), { tagKey: "aws:verdict" }),
      /upload-bucket-scanner-trigger\.tagKey/,
    );
  });

  it("does not apply to a stack without buckets", async () => {
    const stack = happyStack().remove("uploads-bucket").remove("defs-bucket");
    for (const n of [
      "uploads-notifications",
      "uploads-policy",
      "defs-bucket-public-access",
      "defs-bucket-encryption",
    ])
      stack.remove(n);
    assert.equal((await run(stack)).notApplicable, "The stack has no upload buckets");
  });
});
