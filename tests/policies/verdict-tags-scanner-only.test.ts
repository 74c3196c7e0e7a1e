import * as assert from "node:assert/strict";
import {
  AccessRuleSids,
  accessRuleStatements,
  mergePolicy,
  type PolicyStatement,
  scannerRole,
  TAG_WRITE_ACTIONS,
  taggedUploadSid,
} from "../../core/access-rule";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { verdictTagsScannerOnly as rule } from "../../policies/rules";
import { editPolicy, type FakeStack, happyStack, Names, SCANNER_ROLE_ARN } from "./support/fake-stack";
import { assertPasses, assertViolations, runRule } from "./support/run-rule";

const MUST =
  'Upload bucket "uploads-bucket" must let only the scanner write the verdict tags (Infected, ScanResult, ScanStamp)';
const run = (stack: FakeStack, config: object = {}) => runRule(rule, stack.args(config));
const withoutSid = (sid: string) => (statements: PolicyStatement[]) =>
  statements.filter((s) => s.Sid !== sid);
const edit = (sid: string, change: (s: PolicyStatement) => void) => (statements: PolicyStatement[]) => {
  const found = statements.find((s) => s.Sid === sid);
  assert.ok(found, sid);
  change(found);
  return statements;
};
const messageOf = async (stack: FakeStack) => {
  const { violations } = await run(stack);
  assert.equal(violations.length, 1, JSON.stringify(violations));
  return violations[0].message;
};
const infectedChanges = TAG_WRITE_ACTIONS.map((a) => `${a} of objects tagged Infected=true`).join(", ");

describe("policy verdict-tags-scanner-only", () => {
  it("is mandatory, named in kebab case and described as a check", () => {
    assert.equal(rule.name, "verdict-tags-scanner-only");
    assert.equal(rule.enforcementLevel, "mandatory");
    assert.match(rule.description, /^Checks whether /);
  });

  it("passes the access rule core builds", async () => {
    assertPasses(await run(happyStack()));
  });

  it("passes the rule with server-side copies allowed from named buckets", async () => {
    const stack = happyStack();
    const statements = accessRuleStatements({
      bucket: Names.uploadBucket,
      tags: DEFAULT_TAG_SCHEMA,
      scanner: scannerRole(SCANNER_ROLE_ARN),
      copySources: [Names.uploadBucket, "partner-uploads"],
    });
    stack.props("uploads-policy").policy = JSON.stringify(mergePolicy(statements, []));
    assertPasses(await run(stack));
  });

  it("reports a policy that lets tag writes set the verdict, and uploads set it in another letter case", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyVerdictKeys));
    const message = await messageOf(stack);
    assert.ok(message.startsWith(`${MUST}: BucketPolicy "uploads-policy" does not deny `), message);
    for (const gap of [
      "uploads (s3:PutObject) tagged Infected in any letter case",
      "s3:PutObjectTagging tagged Infected,",
      "s3:PutObjectVersionTagging tagged ScanStamp in any letter case",
    ])
      assert.ok(message.includes(gap), gap);
    assert.ok(
      !message.includes("uploads (s3:PutObject) tagged Infected,"),
      "the StringLike statements still hold",
    );
  });

  it("reports a key deny that minds the letter case", async () => {
    const stack = happyStack();
    editPolicy(
      stack,
      "uploads-policy",
      edit(AccessRuleSids.denyVerdictKeys, (s) => {
        const keys = s.Condition?.["ForAnyValue:StringEqualsIgnoreCase"];
        s.Condition = { ...s.Condition, "ForAnyValue:StringEquals": keys ?? {} };
        delete s.Condition["ForAnyValue:StringEqualsIgnoreCase"];
      }),
    );
    assert.match(
      await messageOf(stack),
      /does not deny uploads \(s3:PutObject\) tagged Infected in any letter case/,
    );
  });

  it("reports a policy that lets anyone strip or replace an infected verdict", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyInfectedTagChanges));
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny ${infectedChanges}`,
    );
  });

  it("names the one tag-changing action the deny leaves out", async () => {
    const stack = happyStack();
    editPolicy(
      stack,
      "uploads-policy",
      edit(AccessRuleSids.denyInfectedTagChanges, (s) => {
        s.Action = TAG_WRITE_ACTIONS.filter((a) => a !== "s3:DeleteObjectVersionTagging");
      }),
    );
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:DeleteObjectVersionTagging of objects tagged Infected=true`,
    );
  });

  it("accepts a deny of every tag write to all but the scanner (stricter: no user tag edits)", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", (statements) => [
      ...statements.filter((s) => s.Sid !== AccessRuleSids.denyInfectedTagChanges),
      {
        Effect: "Deny",
        Principal: "*",
        Action: [...TAG_WRITE_ACTIONS],
        Resource: `arn:aws:s3:::${Names.uploadBucket}/*`,
        Condition: { StringNotEquals: { "aws:PrincipalArn": [SCANNER_ROLE_ARN] } },
      },
    ]);
    assertPasses(await run(stack));
  });

  it("reports a policy that lets server-side copies carry a forged verdict in", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyCopies));
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny server-side copies (s3:PutObject with s3:x-amz-copy-source) from buckets it does not name`,
    );
  });

  it("reports a copy deny that trusts every source", async () => {
    const stack = happyStack();
    editPolicy(
      stack,
      "uploads-policy",
      edit(AccessRuleSids.denyCopies, (s) => {
        s.Condition = { ...s.Condition, StringNotLike: { "s3:x-amz-copy-source": "*" } };
      }),
    );
    assert.match(await messageOf(stack), /does not deny server-side copies/);
  });

  it("reports a policy that lets replication bring objects and tags in", async () => {
    const stack = happyStack();
    editPolicy(
      stack,
      "uploads-policy",
      edit(AccessRuleSids.denyReplication, (s) => {
        s.Action = "s3:GetObjectVersionForReplication";
      }),
    );
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny replication writes (s3:ReplicateObject, s3:ReplicateTags) by roles it does not name`,
    );
  });

  it("reports uploads that may arrive already tagged with a verdict tag", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", (statements) =>
      withoutSid(taggedUploadSid("ScanStamp"))(statements).map((s) =>
        s.Sid === AccessRuleSids.denyVerdictKeys
          ? { ...s, Action: ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"] }
          : s,
      ),
    );
    assert.match(await messageOf(stack), /does not deny .*uploads \(s3:PutObject\) tagged ScanStamp, /);
  });

  it("accepts the rule without the per-key StringLike statements, since the deny over the request's tag keys covers them", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", (statements) =>
      statements.filter((s) => !s.Sid?.startsWith(AccessRuleSids.denyTaggedUploadPrefix)),
    );
    assertPasses(await run(stack));
  });
});
