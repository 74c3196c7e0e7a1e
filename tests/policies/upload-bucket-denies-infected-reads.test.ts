import * as assert from "node:assert/strict";
import { AccessRuleSids, type PolicyStatement } from "../../core/access-rule";
import { tagSchema } from "../../core/tags";
import { AwsTypes } from "../../policies/lib/types";
import { uploadBucketDeniesInfectedReads as rule } from "../../policies/rules";
import {
  accessRulePolicy,
  editPolicy,
  type FakeStack,
  happyStack,
  Names,
  SCANNER_ROLE_ARN,
} from "./support/fake-stack";
import { assertPasses, assertViolations, runRule } from "./support/run-rule";

const MUST =
  'Upload bucket "uploads-bucket" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner';
const run = (stack: FakeStack, config: object = {}) => runRule(rule, stack.args(config));

/** The happy stack in the seed's mode: no fail-closed statements, so the infected deny stands alone. */
function seedModeStack(): FakeStack {
  const stack = happyStack();
  stack.props("uploads-policy").policy = accessRulePolicy({ failClosed: false });
  return stack;
}

const withoutSid = (sid: string) => (statements: PolicyStatement[]) =>
  statements.filter((s) => s.Sid !== sid);
const infectedDeny = (statements: PolicyStatement[]) => {
  const found = statements.find((s) => s.Sid === AccessRuleSids.denyInfected);
  assert.ok(found);
  return found;
};

describe("policy upload-bucket-denies-infected-reads", () => {
  it("is mandatory, named in kebab case and described as a check", () => {
    assert.equal(rule.name, "upload-bucket-denies-infected-reads");
    assert.equal(rule.enforcementLevel, "mandatory");
    assert.match(rule.description, /^Checks whether /);
  });

  it("passes the access rule core builds, fail-closed or not", async () => {
    assertPasses(await run(happyStack()));
    assertPasses(await run(seedModeStack()));
  });

  it("reports an upload bucket without a bucket policy", async () => {
    assertViolations(await run(happyStack().remove("uploads-policy")), `${MUST}: it has no bucket policy`);
  });

  it("reports a policy without the infected deny", async () => {
    const stack = seedModeStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyInfected));
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:GetObject, s3:GetObjectVersion`,
    );
  });

  it("counts the fail-closed deny, which also keeps infected objects unreadable", async () => {
    const stack = happyStack();
    editPolicy(stack, "uploads-policy", withoutSid(AccessRuleSids.denyInfected));
    assertPasses(await run(stack));
  });

  it("reports a deny that leaves out s3:GetObjectVersion, through which old versions leak", async () => {
    const stack = seedModeStack();
    editPolicy(stack, "uploads-policy", (statements) => {
      infectedDeny(statements).Action = "s3:GetObject";
      return statements;
    });
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:GetObjectVersion`,
    );
  });

  it("does not count a deny narrowed by a condition it cannot rely on", async () => {
    const stack = seedModeStack();
    editPolicy(stack, "uploads-policy", (statements) => {
      const deny = infectedDeny(statements);
      deny.Condition = { ...deny.Condition, IpAddress: { "aws:SourceIp": "203.0.113.0/24" } };
      return statements;
    });
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:GetObject, s3:GetObjectVersion`,
    );
  });

  it("does not count a deny aimed at one principal instead of everyone", async () => {
    const stack = seedModeStack();
    editPolicy(stack, "uploads-policy", (statements) => {
      infectedDeny(statements).Principal = { AWS: "arn:aws:iam::123456789012:role/web" };
      return statements;
    });
    assert.equal((await run(stack)).violations.length, 1);
  });

  it("reports a deny that also exempts a principal other than the scanner", async () => {
    const stack = seedModeStack();
    const uploader = "arn:aws:iam::123456789012:role/uploader";
    editPolicy(stack, "uploads-policy", (statements) => {
      infectedDeny(statements).Condition = {
        StringEquals: { "s3:ExistingObjectTag/Infected": "true" },
        StringNotEquals: { "aws:PrincipalArn": [SCANNER_ROLE_ARN, uploader] },
      };
      return statements;
    });
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" also exempts ${uploader}, which is not the role of a scanner function in this stack nor one of trustedPrincipalArns`,
    );
  });

  it("accepts an exemption of a principal named in trustedPrincipalArns (a break-glass role)", async () => {
    const stack = seedModeStack();
    const breakGlass = "arn:aws:iam::123456789012:role/malware-release";
    editPolicy(stack, "uploads-policy", (statements) => {
      infectedDeny(statements).Condition = {
        StringEquals: { "s3:ExistingObjectTag/Infected": "true" },
        StringNotEquals: { "aws:PrincipalArn": [SCANNER_ROLE_ARN, breakGlass] },
      };
      return statements;
    });
    assert.equal((await run(stack)).violations.length, 1);
    assertPasses(await run(stack, { trustedPrincipalArns: [breakGlass] }));
  });

  it("reports a wildcard exemption, which lets any matching role read infected objects", async () => {
    const stack = seedModeStack();
    editPolicy(stack, "uploads-policy", (statements) => {
      infectedDeny(statements).Condition = {
        StringEquals: { "s3:ExistingObjectTag/Infected": "true" },
        ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/*" },
      };
      return statements;
    });
    assert.match(
      (await run(stack)).violations[0]?.message ?? "",
      /also exempts arn:aws:iam::123456789012:role\/\*/,
    );
  });

  const handWritten = (extra: object[]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:Get*",
          Resource: `arn:aws:s3:::${Names.uploadBucket}/*`,
          Condition: { StringLike: { "s3:ExistingObjectTag/Infected": ["true"] } },
        },
        ...extra,
      ],
    });

  it("accepts an equivalent hand-written statement, with torrents and replication reads denied outright", async () => {
    const stack = happyStack();
    stack.props("uploads-policy").policy = handWritten([
      {
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject*Torrent", "s3:GetObjectVersionForReplication"],
        Resource: `arn:aws:s3:::${Names.uploadBucket}/*`,
      },
    ]);
    assertPasses(await run(stack));
  });

  it("reports a tag-conditioned deny of s3:Get*, which AWS does not apply to torrents or replication reads", async () => {
    const stack = happyStack();
    stack.props("uploads-policy").policy = handWritten([]);
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:GetObjectTorrent, s3:GetObjectVersionTorrent, s3:GetObjectVersionForReplication`,
    );
  });

  it("reports a deny on another bucket's objects", async () => {
    const stack = happyStack();
    stack.props("uploads-policy").policy = accessRulePolicy({ bucket: "some-other-bucket" });
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" does not deny s3:GetObject, s3:GetObjectVersion, s3:GetObjectTorrent, s3:GetObjectVersionTorrent, s3:GetObjectVersionForReplication`,
    );
  });

  it("reports a deny on part of the bucket only", async () => {
    const stack = seedModeStack();
    editPolicy(stack, "uploads-policy", (statements) => {
      infectedDeny(statements).Resource = `arn:aws:s3:::${Names.uploadBucket}/public/*`;
      return statements;
    });
    assert.equal((await run(stack)).violations.length, 1);
  });

  it("reports a second policy source, which replaces the first", async () => {
    const stack = happyStack();
    stack.props("uploads-bucket").policy = accessRulePolicy();
    assertViolations(
      await run(stack),
      `${MUST}: BucketPolicy "uploads-policy" and the inline policy of Bucket "uploads-bucket" replace each other, since a bucket has one policy`,
    );
  });

  it("accepts the deprecated inline policy of a bucket as its one policy", async () => {
    const stack = happyStack().remove("uploads-policy");
    stack.props("uploads-bucket").policy = accessRulePolicy();
    assertPasses(await run(stack));
  });

  it("reports a policy that is not JSON", async () => {
    const stack = happyStack();
    stack.props("uploads-policy").policy = "{ not json";
    assert.match(
      (await run(stack)).violations[0]?.message ?? "",
      /BucketPolicy "uploads-policy": its policy is not valid JSON/,
    );
  });

  it("checks the tags the configuration names", async () => {
    const tags = tagSchema(
      { key: "Verdict", infectedValue: "bad", cleanValue: "good" },
      { key: "k", infectedValue: "i", cleanValue: "c", pendingValue: "p", resultKey: "r", stampKey: "s" },
    );
    const stack = happyStack({ tags });
    const config = { tagKey: "Verdict", tagInfectedValue: "bad", tagCleanValue: "good" };
    assertPasses(await run(stack, config));
    stack.props("uploads-policy").policy = accessRulePolicy({ failClosed: false });
    assertViolations(
      await run(stack, config),
      'Upload bucket "uploads-bucket" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Verdict=bad to all principals but the scanner: BucketPolicy "uploads-policy" does not deny s3:GetObject, s3:GetObjectVersion',
    );
  });

  it("checks the policy of an existing bucket the stack protects by name", async () => {
    const stack = happyStack().add(AwsTypes.bucketPolicy, "existing-policy", {
      bucket: "acme-existing-uploads",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
    });
    const messages = (await run(stack)).violations.map((v) => v.message);
    assert.deepEqual(messages, [
      'Upload bucket "acme-existing-uploads" (outside this stack) must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: BucketPolicy "existing-policy" does not deny s3:GetObject, s3:GetObjectVersion, s3:GetObjectTorrent, s3:GetObjectVersionTorrent, s3:GetObjectVersionForReplication',
    ]);
  });

  it("points the violation at the bucket", async () => {
    const result = await run(happyStack().remove("uploads-policy"));
    assert.match(result.violations[0]?.urn ?? "", /UploadScanner\$aws:s3\/bucket:Bucket::uploads-bucket$/);
  });
});
