/**
 * `policies/` as `pulumi preview --policy-pack policies` loads it: started by @pulumi/pulumi's
 * policy-pack runner (ts-node, type-checked, with the pack's own tsconfig) and spoken to over the
 * analyzer gRPC protocol, configuration included. Proves the pack's entry point, metadata and
 * configuration schema work end to end without the Pulumi CLI.
 */
import * as assert from "node:assert/strict";
import { AwsTypes } from "../../policies/lib/types";
import { rules } from "../../policies/rules";
import { accessRulePolicy, happyStack } from "./support/fake-stack";
import { PackProcess } from "./support/pack-process";

describe("the policy pack under Pulumi's policy-pack runner", function () {
  // The runner type-checks the pack and core before it serves.
  this.timeout(180_000);
  let pack: PackProcess;

  before(async () => {
    pack = await PackProcess.start(170_000);
  });

  after(() => pack?.stop());

  it("serves the pack named bucketwarden with every rule at its default level", async () => {
    const info = await pack.info();
    assert.equal(info.name, "bucketwarden");
    assert.deepEqual(
      info.policies.map((p) => [p.name, p.enforcementLevel]),
      rules.map((r) => [r.name, r.enforcementLevel]),
    );
  });

  it("publishes each rule's configuration schema", async () => {
    const { policies } = await pack.info();
    const trigger = policies.find((p) => p.name === "upload-bucket-scanner-trigger");
    assert.deepEqual(trigger?.configProperties, [
      "exemptBucketNames",
      "exemptionTag",
      "scannerLayerNames",
      "tagCleanValue",
      "tagInfectedValue",
      "tagKey",
      "tagResultKey",
      "tagStampKey",
    ]);
  });

  it("passes the happy stack", async () => {
    assert.deepEqual(await pack.analyzeStack(happyStack().records()), []);
  });

  it("takes configuration: fail-closed made mandatory, and a bucket exempted by name", async () => {
    const stack = happyStack().add(AwsTypes.bucket, "access-logs", { bucket: "acme-access-logs" });
    stack.props("uploads-policy").policy = accessRulePolicy({ failClosed: false });
    await pack.configure({
      "upload-bucket-fail-closed": { enforcementLevel: "mandatory", exemptBucketNames: ["acme-access-*"] },
      "upload-bucket-scanner-trigger": {
        enforcementLevel: "mandatory",
        exemptBucketNames: ["acme-access-*"],
      },
      "upload-bucket-denies-infected-reads": {
        enforcementLevel: "mandatory",
        exemptBucketNames: ["acme-access-*"],
      },
      "verdict-tags-scanner-only": { enforcementLevel: "mandatory", exemptBucketNames: ["acme-access-*"] },
    });
    const diagnostics = await pack.analyzeStack(stack.records());
    assert.deepEqual(
      diagnostics.map((d) => [d.policyName, d.enforcementLevel]),
      [["upload-bucket-fail-closed", "mandatory"]],
    );
    assert.match(diagnostics[0].message, /Upload bucket "uploads-bucket" must keep objects unreadable/);
  });
});
