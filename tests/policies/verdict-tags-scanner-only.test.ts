import * as assert from "node:assert/strict";
import {
  AccessRuleSids,
  type PolicyStatement,
  TAG_WRITE_ACTIONS,
  taggedUploadSid,
} from "../../core/access-rule";
import { verdictTagsScannerOnly as rule } from "../../policies/rules";
import { editPolicy, type FakeStack, happyStack, Names } from "./support/fake-stack";
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

describe("policy verdict-tags-scanner-only", () => {
  it("is mandatory, named in kebab case and described as a check", () => {
    assert.equal(rule.name, "verdict-tags-scanner-only");
    assert.equal(rule.enforcementLevel, "mandatory");
    assert.match(rule.description, /^Checks whether /);
  });

  it("passes the access rule core builds", async () => {
    assertPasses(await run(happyStack()));
  });

  it("reports a policy that lets anyone rewrite or strip the verdict", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyTagWrites));
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny ${TAG_WRITE_ACTIONS.join(", ")}`,
    );
  });

  it("names the one tag-writing action the deny leaves out", async () => {
    const stack = happyStack();
    editPolicy(
      stack,
      "uploads-policy",
      edit(AccessRuleSids.denyTagWrites, (s) => {
        s.Action = TAG_WRITE_ACTIONS.filter((a) => a !== "s3:DeleteObjectVersionTagging");
      }),
    );
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:DeleteObjectVersionTagging`,
    );
  });

  it("reports a tag-write deny that holds only for objects already tagged infected", async () => {
    const stack = happyStack();
    editPolicy(
      stack,
      "uploads-policy",
      edit(AccessRuleSids.denyTagWrites, (s) => {
        s.Condition = { ...s.Condition, StringEquals: { "s3:ExistingObjectTag/Infected": "true" } };
      }),
    );
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny ${TAG_WRITE_ACTIONS.join(", ")}`,
    );
  });

  it("reports uploads that may arrive already tagged with a verdict tag", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(taggedUploadSid("ScanStamp")));
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny uploads (s3:PutObject) tagged ScanStamp`,
    );
  });

  it("accepts one upload deny over the request's tag keys", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", (statements) => [
      ...statements.filter((s) => !s.Sid?.startsWith(AccessRuleSids.denyTaggedUploadPrefix)),
      {
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${Names.uploadBucket}/*`,
        Condition: {
          "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["Infected", "ScanResult", "ScanStamp"] },
        },
      },
    ]);
    assertPasses(await run(stack));
  });
});
