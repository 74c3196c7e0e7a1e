/**
 * The pack against a stack whose scanners quarantine infected objects: the quarantine buckets are
 * the project's own infrastructure (like the definitions and report buckets), not upload buckets
 * that would need a scanner trigger of their own.
 */
import * as assert from "node:assert/strict";
import { MalwareScanning } from "../../components";
import { AwsTypes } from "../../policies/lib/types";
import { rules } from "../../policies/rules";
import { installPulumiMocks } from "../support/pulumi-mocks";
import { analyzeStack } from "./support/engine";
import { recordedStack } from "./support/recorded-stack";

describe("policy pack with quarantine buckets", () => {
  let records: ReturnType<typeof recordedStack>;
  let preview: ReturnType<typeof recordedStack>;

  before(async () => {
    const recorder = installPulumiMocks({ stack: "quarantine" });
    new MalwareScanning("bw", {
      uploadBuckets: { uploads: { newBucket: true } },
      scanner: { infectedObjects: { quarantine: true, delete: true } },
      namePrefix: "bw-test",
    });
    await recorder.settle();
    records = recordedStack(recorder.resources);
    preview = recordedStack(recorder.resources, { preview: true });
  });

  it("gives the engine nothing to report about them, on an update or a preview", async () => {
    assert.ok(
      records.some((r) => r.type === AwsTypes.bucket && r.name === "bw-uploads-quarantine"),
      "the stack has a quarantine bucket",
    );
    assert.deepEqual(await analyzeStack(rules, records), []);
    // A preview leaves other questions open (the notification's queues are unknown); none is about
    // the quarantine bucket.
    const found = await analyzeStack(rules, preview);
    assert.deepEqual(
      found.filter((d) => /quarantine/.test(d.message) || /quarantine/.test(d.urn ?? "")),
      [],
    );
  });

  it("holds a quarantine bucket to the infrastructure buckets' hardening: public access blocked", async () => {
    const open = records.filter(
      (r) =>
        !(r.type === AwsTypes.bucketPublicAccessBlock && r.name === "bw-uploads-quarantine-public-access"),
    );
    assert.equal(open.length, records.length - 1, "the quarantine bucket's access block was removed");
    const found = await analyzeStack(rules, open);
    assert.deepEqual(
      found.map((d) => `${d.enforcementLevel} ${d.policyName}: ${d.message.split("\n").pop()}`),
      [
        'advisory scanning-infrastructure-hardened: Quarantine bucket "bw-uploads-quarantine" must block all public access: it has no BucketPublicAccessBlock',
      ],
    );
  });
});
