/**
 * An adopted bucket's resources under Pulumi mocks: the marker's invocation between the notifications
 * and the policy, the rule it pairs with, and the scanner's permission to list versions.
 */
import assert from "node:assert/strict";
import type * as Components from "../../components";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import { AccessRuleSids, existingTagKey } from "../../core/access-rule";
import { ConfigError } from "../../core/errors";
import { identityAllows } from "../support/policy-eval";
import { installPulumiMocks, type RecordedResource } from "../support/pulumi-mocks";
import { componentTree, onlyWithin, policyOf, rolePolicyOfFunction, waitsFor } from "./graph";

const DEFINITIONS = { bucketName: "defs", bucketArn: "arn:aws:s3:::defs", prefix: "clamav/" };
const ADOPTED = "acme-legacy";

function load(): typeof Components {
  return require("../../components");
}

async function adopt(extra: Partial<Components.UploadScannerArgs> = {}) {
  const rec = installPulumiMocks();
  const { UploadScanner } = load();
  new UploadScanner("legacy", {
    existingBucketName: ADOPTED,
    adoptExistingBucket: true,
    definitions: DEFINITIONS,
    ...extra,
  });
  await rec.settle();
  return { rec, tree: componentTree(rec, ComponentTypes.UploadScanner, "legacy") };
}

const unscannedDeny = (policy: RecordedResource) =>
  policyOf(policy).Statement.find((s) => s.Sid === AccessRuleSids.denyUnscanned);

describe("components/UploadScanner adopting a bucket that holds data", () => {
  let tree: RecordedResource[];
  let marker: RecordedResource;

  before(async () => {
    ({ tree } = await adopt());
    marker = onlyWithin(tree, T.invocation);
  });

  it("invokes the scanner's marker on the adopted bucket, readable until scanned by default", () => {
    const fn = onlyWithin(tree, T.function);
    assert.equal(marker.inputs.functionName, fn.state.name);
    assert.deepEqual(JSON.parse(marker.inputs.input), {
      bucketwarden: "mark-pre-existing",
      bucket: ADOPTED,
      mode: "readable-until-scanned",
    });
  });

  it("marks after the notifications are written, so uploads meanwhile are scanned", () => {
    assert.ok(waitsFor(tree, marker, onlyWithin(tree, T.bucketNotification)));
  });

  it("marks only once the scanner's role may list and tag the bucket", () => {
    assert.ok(waitsFor(tree, marker, onlyWithin(tree, T.rolePolicy)));
  });

  it("writes the policy only after the marker has run", () => {
    const policy = onlyWithin(tree, T.bucketPolicy);
    assert.ok(waitsFor(tree, policy, marker));
    assert.ok(!waitsFor(tree, marker, policy), "and the marker does not wait for the policy");
  });

  it("writes the rule that keeps pending-marked versions readable", () => {
    const deny = unscannedDeny(onlyWithin(tree, T.bucketPolicy));
    assert.equal(deny?.Condition?.StringNotLike?.[existingTagKey("Infected")], "pending");
  });

  it("lets the scanner list the bucket's versions, which the marker walks", async () => {
    const fn = onlyWithin(tree, T.function);
    const doc = rolePolicyOfFunction(tree, fn);
    assert.ok(await identityAllows(doc, "s3:ListBucketVersions", `arn:aws:s3:::${ADOPTED}`));
    assert.ok(!(await identityAllows(doc, "s3:ListBucketVersions", "arn:aws:s3:::someone-else")));
  });
});

describe("components/UploadScanner adopting a bucket in strict mode", () => {
  it("marks nothing readable: the marker strips, and the rule has no pending exemption", async () => {
    const { tree } = await adopt({ preExistingObjects: "strict" });
    const marker = onlyWithin(tree, T.invocation);
    assert.equal(JSON.parse(marker.inputs.input).mode, "strict");
    const deny = unscannedDeny(onlyWithin(tree, T.bucketPolicy));
    assert.equal(deny?.Condition?.StringNotLike, undefined);
    assert.equal(deny?.Condition?.StringNotEquals?.[existingTagKey("Infected")], "false");
  });
});

describe("components/UploadScanner: preExistingObjects checks", () => {
  it("invokes no marker for a bucket it creates", async () => {
    const rec = installPulumiMocks();
    const { UploadScanner } = load();
    new UploadScanner("fresh", { newBucket: true, definitions: DEFINITIONS });
    await rec.settle();
    assert.deepEqual(rec.ofType(T.invocation), []);
    const deny = unscannedDeny(rec.ofType(T.bucketPolicy)[0]);
    assert.equal(deny?.Condition?.StringNotLike, undefined);
  });

  const bad: Array<[string, Partial<Components.UploadScannerArgs>, RegExp]> = [
    [
      "rejects preExistingObjects for a bucket it creates",
      { newBucket: true },
      /applies only to \[existingBucketName\]/,
    ],
    [
      "rejects an unknown mode",
      // biome-ignore lint/suspicious/noExplicitAny: a value TypeScript users cannot write, as JavaScript could
      { existingBucketName: ADOPTED, adoptExistingBucket: true, preExistingObjects: "lenient" as any },
      /must be one of "readable-until-scanned", "strict"/,
    ],
  ];
  for (const [title, args, message] of bad)
    it(title, () => {
      installPulumiMocks();
      const { UploadScanner } = load();
      assert.throws(
        () =>
          new UploadScanner("x", {
            definitions: DEFINITIONS,
            preExistingObjects: "strict",
            ...args,
          } as Components.UploadScannerArgs),
        (e: unknown) =>
          e instanceof ConfigError && e.setting === "preExistingObjects" && message.test(e.message),
      );
    });
});
