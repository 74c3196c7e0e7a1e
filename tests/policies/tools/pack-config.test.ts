import * as assert from "node:assert/strict";
import { tagSchema } from "../../../core/tags";
import { uploadBucketDeniesInfectedReads } from "../../../policies/rules";
import { packConfig } from "../../../policies/tools/pack-config";
import { happyStack } from "../support/fake-stack";
import { assertPasses, runRule } from "../support/run-rule";

const CUSTOM = {
  "bucketwarden:tagKey": "Verdict",
  "bucketwarden:tagInfectedValue": "bad",
  "bucketwarden:tagCleanValue": "good",
};

describe("pack-config: the pack's configuration from a stack's settings", () => {
  it("gives every rule that reads the tags the stack's tag settings", () => {
    const config = packConfig(CUSTOM);
    assert.deepEqual(Object.keys(config).sort(), [
      "upload-bucket-denies-infected-reads",
      "upload-bucket-fail-closed",
      "upload-bucket-scanner-trigger",
      "verdict-tags-scanner-only",
    ]);
    assert.deepEqual(config["verdict-tags-scanner-only"], {
      tagKey: "Verdict",
      tagInfectedValue: "bad",
      tagCleanValue: "good",
    });
  });

  it("lets the deny rules accept the break-glass and replication roles the stack's access rule exempts", () => {
    const config = packConfig({
      "bucketwarden:breakGlassRoleArns": ["arn:aws:iam::123456789012:role/release"],
      "bucketwarden:replicationRoleArns": '["arn:aws:iam::123456789012:role/replication"]',
    });
    const trusted = ["arn:aws:iam::123456789012:role/release", "arn:aws:iam::123456789012:role/replication"];
    assert.deepEqual(Object.keys(config).sort(), [
      "upload-bucket-denies-infected-reads",
      "upload-bucket-fail-closed",
      "verdict-tags-scanner-only",
    ]);
    for (const rule of Object.values(config)) assert.deepEqual(rule, { trustedPrincipalArns: trusted });
  });

  it("leaves the rules on their defaults when the stack keeps the default tags", () => {
    assert.deepEqual(packConfig({ "aws:region": "eu-west-1" }), {});
  });

  it("merges the per-stack overrides, in Pulumi's policy-config format", () => {
    const config = packConfig(CUSTOM, {
      "upload-bucket-fail-closed": "mandatory",
      "upload-bucket-scanner-trigger": { exemptBucketNames: ["acme-logs-*"] },
      all: "mandatory",
    });
    assert.deepEqual(config["upload-bucket-fail-closed"], {
      tagKey: "Verdict",
      tagInfectedValue: "bad",
      tagCleanValue: "good",
      enforcementLevel: "mandatory",
    });
    assert.deepEqual(config["upload-bucket-scanner-trigger"], {
      tagKey: "Verdict",
      tagInfectedValue: "bad",
      tagCleanValue: "good",
      exemptBucketNames: ["acme-logs-*"],
    });
    assert.equal(config.all, "mandatory");
  });

  it("rejects a tag setting the stack itself would reject, naming the stack setting", () => {
    assert.throws(() => packConfig({ "bucketwarden:tagCleanValue": "true" }), /bucketwarden:tagCleanValue/);
  });

  it("makes the pack check the tags the stack's scanner writes", async () => {
    const tags = tagSchema(
      { key: "Verdict", infectedValue: "bad", cleanValue: "good" },
      { key: "k", infectedValue: "i", cleanValue: "c", pendingValue: "p", resultKey: "r", stampKey: "s" },
    );
    const config = packConfig(CUSTOM)[uploadBucketDeniesInfectedReads.name] as object;
    assertPasses(await runRule(uploadBucketDeniesInfectedReads, happyStack({ tags }).args(config)));
  });
});
