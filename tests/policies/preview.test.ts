/**
 * The rules during `pulumi preview`, when names and ARNs of resources not yet created are unknown.
 * Unknown values are the engine's own sentinel, read through @pulumi/policy's unknownCheckingProxy,
 * and what a rule cannot decide is raised as @pulumi/policy's UnknownValueError, which the engine
 * reports as "can't run policy during preview".
 */
import * as assert from "node:assert/strict";
import { EnvVars } from "../../core/handler-config";
import { AwsTypes } from "../../policies/lib/types";
import {
  scanningInfrastructureHardened,
  uploadBucketDeniesInfectedReads,
  uploadBucketScannerTrigger,
} from "../../policies/rules";
import { analyzeStack } from "./support/engine";
import { type FakeStack, happyStack } from "./support/fake-stack";
import { packPolicySdk as policy } from "./support/pack-modules";
import { UNKNOWN } from "./support/policy-resources";
import { assertPasses, runRule } from "./support/run-rule";

/** The happy stack as a first preview sees it: no bucket, queue, role or function exists yet. */
function previewStack(): FakeStack {
  const stack = happyStack();
  for (const name of ["defs-bucket", "uploads-bucket"])
    Object.assign(stack.props(name), { bucket: UNKNOWN, id: UNKNOWN, arn: UNKNOWN });
  for (const name of ["uploads-scanner-events", "uploads-scanner-dead-letters"]) {
    Object.assign(stack.props(name), { arn: UNKNOWN, url: UNKNOWN });
  }
  Object.assign(stack.props("scanning-scanner-layer"), { arn: UNKNOWN });
  Object.assign(stack.props("uploads-scanner-role"), { arn: UNKNOWN });
  Object.assign(stack.props("uploads-scanner"), {
    arn: UNKNOWN,
    role: UNKNOWN,
    layers: [UNKNOWN],
  });
  // A map of variables with one unknown value, as a program that passes the bucket's name Output writes it.
  stack.props("uploads-scanner").environment.variables[EnvVars.definitionsBucket] = UNKNOWN;
  stack.props("uploads-scanner-events").redrivePolicy = UNKNOWN;
  Object.assign(stack.props("uploads-trigger-events-mapping"), {
    eventSourceArn: UNKNOWN,
    functionName: UNKNOWN,
  });
  stack.props("uploads-notifications").bucket = UNKNOWN;
  stack.props("uploads-notifications").queues[0].queueArn = UNKNOWN;
  Object.assign(stack.props("uploads-policy"), { bucket: UNKNOWN, policy: UNKNOWN });
  for (const name of ["defs-bucket-public-access", "defs-bucket-encryption"])
    stack.props(name).bucket = UNKNOWN;
  return stack;
}

const bareBucket = (stack: FakeStack, name: string, props: object = {}) =>
  stack.add(AwsTypes.bucket, name, { bucket: UNKNOWN, arn: UNKNOWN, ...props });

describe("policies during preview, with bucket names unknown", () => {
  it("decide the trigger through dependencies when only names and ARNs are unknown", async () => {
    assertPasses(await runRule(uploadBucketScannerTrigger, previewStack().args()));
  });

  it("decide the definitions bucket and the dead-letter path through dependencies", async () => {
    assertPasses(await runRule(scanningInfrastructureHardened, previewStack().args()));
  });

  it("report a bare bucket whose name is unknown as a violation, not a question", async () => {
    const result = await runRule(uploadBucketScannerTrigger, bareBucket(previewStack(), "avatars").args());
    assert.deepEqual(
      result.violations.map((v) => v.message),
      [
        'Upload bucket "avatars" must send every object-created event to a scanner function: it has no BucketNotification',
      ],
    );
    assert.equal(result.undecided, undefined);
  });

  it("report every decidable bucket before raising what an unknown policy leaves open", async () => {
    const result = await runRule(
      uploadBucketDeniesInfectedReads,
      bareBucket(previewStack(), "avatars").args(),
    );
    assert.deepEqual(
      result.violations.map((v) => v.message),
      [
        'Upload bucket "avatars" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: it has no bucket policy',
      ],
    );
    assert.equal(
      result.undecided,
      'Upload bucket "uploads-bucket" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: the policy of BucketPolicy "uploads-policy" is unknown (checked again with the real values when the update runs)',
    );
  });

  it("raise @pulumi/policy's own UnknownValueError, so the engine reports it and never drops it", async () => {
    const stack = previewStack();
    await assert.rejects(
      Promise.resolve(uploadBucketDeniesInfectedReads.validateStack(stack.args(), () => {})),
      (e: unknown) =>
        e instanceof (policy as unknown as { UnknownValueError: new () => Error }).UnknownValueError,
    );
  });

  it("leave open whether a bucket is exempt when its name is unknown and name patterns are set", async () => {
    const result = await runRule(
      uploadBucketScannerTrigger,
      bareBucket(previewStack(), "avatars").args({ exemptBucketNames: ["acme-public-*"] }),
    );
    assert.deepEqual(result.violations, []);
    assert.match(
      result.undecided ?? "",
      /^Upload bucket "avatars" must send every object-created event to a scanner function: it has no BucketNotification, unless it is exempt, which its bucket name \(for exemptBucketNames\) decides and is unknown during preview/,
    );
  });

  it("exempt by the Pulumi resource name, which is always known", async () => {
    const stack = bareBucket(previewStack(), "access-logs");
    assertPasses(await runRule(uploadBucketScannerTrigger, stack.args({ exemptBucketNames: ["access-*"] })));
  });

  it("leave open whether a bucket is exempt when its tags are unknown", async () => {
    const result = await runRule(
      uploadBucketScannerTrigger,
      bareBucket(previewStack(), "avatars", { tags: UNKNOWN }).args(),
    );
    assert.deepEqual(result.violations, []);
    assert.match(result.undecided ?? "", /unless it is exempt, which its tag "bucketwarden:exempt" decides/);
  });

  it("leave the verdict tags of a scanner whose whole environment is unknown for the update", async () => {
    const stack = previewStack();
    stack.props("uploads-scanner").environment = UNKNOWN;
    const result = await runRule(uploadBucketScannerTrigger, stack.args());
    assert.deepEqual(result.violations, []);
    assert.match(
      result.undecided ?? "",
      /^Upload bucket "uploads-bucket" must be scanned with the verdict tags the pack checks: the environment of Function "uploads-scanner" is unknown/,
    );
  });

  it("leave open whether a function is the scanner when its environment and layer names are all unknown", async () => {
    const stack = previewStack();
    stack.props("uploads-scanner").environment = UNKNOWN;
    stack.props("scanning-scanner-layer").layerName = UNKNOWN;
    const result = await runRule(uploadBucketScannerTrigger, stack.args());
    assert.deepEqual(result.violations, []);
    assert.match(result.undecided ?? "", /the environment of Function "uploads-scanner" is unknown/);
  });

  it("leave open which bucket a policy protects when its bucket is neither known nor in the stack", async () => {
    const stack = previewStack().add(AwsTypes.bucketPolicy, "shared-policy", {
      bucket: UNKNOWN,
      policy: UNKNOWN,
    });
    const result = await runRule(uploadBucketScannerTrigger, stack.args());
    assert.match(
      result.undecided ?? "",
      /the bucket of BucketPolicy "shared-policy" is unknown and not a bucket of this stack/,
    );
  });

  it("reach the engine as a mandatory violation for the bare bucket and an advisory for the rest", async () => {
    const diagnostics = await analyzeStack(
      [uploadBucketDeniesInfectedReads],
      bareBucket(previewStack(), "avatars").records(),
    );
    assert.deepEqual(
      diagnostics.map((d) => [d.enforcementLevel, d.message.split("\n").pop()?.slice(0, 60)]),
      [
        ["mandatory", 'Upload bucket "avatars" must deny reads (s3:GetObject, s3:Ge'],
        ["advisory", "can't run policy 'upload-bucket-denies-infected-reads' from "],
      ],
    );
  });
});
