import * as assert from "node:assert/strict";
import { AccessRuleSids, type PolicyStatement } from "../../core/access-rule";
import { uploadBucketFailClosed as rule } from "../../policies/rules";
import { accessRulePolicy, editPolicy, type FakeStack, happyStack } from "./support/fake-stack";
import { assertPasses, assertViolations, runRule } from "./support/run-rule";

const MUST =
  'Upload bucket "uploads-bucket" must keep objects unreadable until the scanner tags them Infected=false (fail-closed)';
const run = (stack: FakeStack, config: object = {}) => runRule(rule, stack.args(config));
const withoutSid = (sid: string) => (statements: PolicyStatement[]) =>
  statements.filter((s) => s.Sid !== sid);

describe("policy upload-bucket-fail-closed", () => {
  it("is advisory by default, named in kebab case and described as a check", () => {
    assert.equal(rule.name, "upload-bucket-fail-closed");
    assert.equal(rule.enforcementLevel, "advisory");
    assert.match(rule.description, /^Checks whether /);
  });

  it("passes the access rule core builds", async () => {
    assertPasses(await run(happyStack()));
  });

  it("reports the seed's deny-infected-only policy, under which unscanned objects are readable", async () => {
    const stack = happyStack();
    stack.props("uploads-policy").policy = accessRulePolicy({ failClosed: false });
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:GetObject of objects without the Infected tag, s3:GetObject of objects whose Infected tag is not false, s3:GetObjectVersion of objects without the Infected tag, s3:GetObjectVersion of objects whose Infected tag is not false`,
    );
  });

  it("reports a deny of untagged objects alone, which leaves other verdict values readable", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyUnscanned));
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:GetObject of objects whose Infected tag is not false, s3:GetObjectVersion of objects whose Infected tag is not false`,
    );
  });

  it("accepts the not-clean deny alone, since on AWS a negated condition matches a missing tag", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyUntagged));
    assertPasses(await run(stack));
  });
});
