import * as assert from "node:assert/strict";
import { AwsTypes, ComponentTypes } from "../../policies/lib/types";
import { scanningInfrastructureHardened as rule } from "../../policies/rules";
import { Arns, directTriggerStack, type FakeStack, happyStack, Names } from "./support/fake-stack";
import { UNKNOWN } from "./support/policy-resources";
import { assertPasses, assertViolations, runRule } from "./support/run-rule";

const run = (stack: FakeStack, config: object = {}) => runRule(rule, stack.args(config));

describe("policy scanning-infrastructure-hardened", () => {
  it("is advisory, named in kebab case and described as a check", () => {
    assert.equal(rule.name, "scanning-infrastructure-hardened");
    assert.equal(rule.enforcementLevel, "advisory");
    assert.match(rule.description, /^Checks whether /);
  });

  it("passes the stack the components deploy", async () => {
    assertPasses(await run(happyStack()));
  });

  it("reports a definitions bucket without a public access block", async () => {
    assertViolations(
      await run(happyStack().remove("defs-bucket-public-access")),
      'Definitions bucket "defs-bucket" must block all public access: it has no BucketPublicAccessBlock',
    );
  });

  it("names the public access settings left off", async () => {
    const stack = happyStack();
    stack.props("defs-bucket-public-access").restrictPublicBuckets = false;
    assertViolations(
      await run(stack),
      'Definitions bucket "defs-bucket" must block all public access: BucketPublicAccessBlock "defs-bucket-public-access" does not set restrictPublicBuckets',
    );
  });

  it("reports a definitions bucket without encryption", async () => {
    assertViolations(
      await run(happyStack().remove("defs-bucket-encryption")),
      'Definitions bucket "defs-bucket" must be encrypted: it has no server-side encryption configuration',
    );
  });

  it("reports a scan queue without a redrive policy, where failed scans would be retried forever", async () => {
    const stack = happyStack();
    delete stack.props("uploads-scanner-events").redrivePolicy;
    stack.get("uploads-scanner-events").deps = {};
    assertViolations(
      await run(stack),
      'Upload bucket "uploads-bucket" must have a dead-letter path for failed scans: Queue "uploads-scanner-events" has no redrive policy to a dead-letter queue',
    );
  });

  it("accepts a redrive policy given as its own resource", async () => {
    const stack = happyStack().add(
      AwsTypes.redrivePolicy,
      "uploads-redrive",
      {
        queueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/${Names.eventsQueue}`,
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: Arns.deadLetterQueue, maxReceiveCount: 5 }),
      },
      { deps: { queueUrl: ["uploads-scanner-events"], redrivePolicy: ["uploads-scanner-dead-letters"] } },
    );
    delete stack.props("uploads-scanner-events").redrivePolicy;
    stack.get("uploads-scanner-events").deps = {};
    assertPasses(await run(stack));
  });

  it("accepts a redrive policy whose dead-letter queue is not created yet, by its dependency", async () => {
    const stack = happyStack();
    stack.props("uploads-scanner-events").redrivePolicy = UNKNOWN;
    assertPasses(await run(stack));
  });

  it("reports a directly invoked scanner without a dead-letter queue or on-failure destination", async () => {
    assertViolations(
      await run(directTriggerStack()),
      'Upload bucket "uploads-bucket" must have a dead-letter path for failed scans: Function "uploads-scanner" has no dead-letter queue or on-failure destination',
    );
  });

  it("accepts a directly invoked scanner with an on-failure destination", async () => {
    const stack = directTriggerStack().add(
      AwsTypes.functionEventInvokeConfig,
      "uploads-trigger-async-config",
      {
        functionName: Names.scannerFunction,
        destinationConfig: { onFailure: { destination: Arns.deadLetterQueue } },
      },
      { deps: { functionName: ["uploads-scanner"], destinationConfig: ["uploads-scanner-dead-letters"] } },
    );
    assertPasses(await run(stack));
  });

  it("accepts a directly invoked scanner with a dead-letter queue", async () => {
    const stack = directTriggerStack();
    stack.props("uploads-scanner").deadLetterConfig = { targetArn: Arns.deadLetterQueue };
    assertPasses(await run(stack));
  });
});

describe("policy scanning-infrastructure-hardened: the Batch Operations report bucket", () => {
  /** The happy stack plus a BacklogScanning whose report bucket has no public access block. */
  function withReportBucket(): FakeStack {
    return happyStack()
      .add(ComponentTypes.backlogScanning, "backlog", {}, { parent: "scanning" })
      .add(AwsTypes.bucket, "backlog-reports", { bucket: "backlog-reports-mock" }, { parent: "backlog" });
  }

  it("checks it as infrastructure, not as an upload bucket without a scanner", async () => {
    assertViolations(
      await run(withReportBucket()),
      'Batch Operations report bucket "backlog-reports" must block all public access: it has no BucketPublicAccessBlock',
      'Batch Operations report bucket "backlog-reports" must be encrypted: it has no server-side encryption configuration',
    );
  });
});
