import assert from "node:assert/strict";
import type * as Components from "../../components";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import { AccessRuleSids } from "../../core/access-rule";
import { installPulumiMocks } from "../support/pulumi-mocks";
import { componentTree, onlyWithin, policyOf } from "./graph";

const DEFINITIONS = { bucketName: "defs", bucketArn: "arn:aws:s3:::defs", prefix: "clamav/" };
const BREAK_GLASS = "arn:aws:iam::123456789012:role/release";
const REPLICATION = "arn:aws:iam::123456789012:role/replicate";

function load(): typeof Components {
  return require("../../components");
}

describe("components/accessRulePolicyStatements", () => {
  const cases = [
    { title: "the defaults", options: {} },
    {
      title: "fail-open, copies, break-glass, replication and a custom verdict schema",
      options: {
        failClosed: false,
        breakGlassRoleArns: [BREAK_GLASS],
        replicationRoleArns: [REPLICATION],
        serverSideCopies: { withinBucket: true, fromBuckets: ["other-uploads"] },
        verdictTags: {
          key: "Scan",
          infectedValue: "bad",
          cleanValue: "good",
          pendingValue: "unknown",
          resultKey: "ScanResult",
          stampKey: "ScanStamp",
        },
      },
    },
  ];
  for (const { title, options } of cases)
    it(`returns the statements UploadScanner writes, for ${title}`, async () => {
      const rec = installPulumiMocks();
      const { UploadScanner, accessRulePolicyStatements } = load();
      new UploadScanner("photos", {
        existingBucketName: "acme-photos",
        adoptExistingBucket: true,
        definitions: DEFINITIONS,
        ...options,
      });
      await rec.settle();
      const tree = componentTree(rec, ComponentTypes.UploadScanner, "photos");
      const written = policyOf(onlyWithin(tree, T.bucketPolicy)).Statement;
      const roleArn = onlyWithin(tree, T.role).state.arn;
      // An adopted bucket keeps pending-marked versions readable by default (preExistingObjects).
      assert.deepEqual(
        accessRulePolicyStatements("acme-photos", roleArn, { ...options, preExistingReadable: true }),
        written,
      );
    });

  it("reads the partition from the scanner role's ARN", () => {
    const { accessRulePolicyStatements } = load();
    const statements = accessRulePolicyStatements("uploads", "arn:aws-cn:iam::123456789012:role/scanner");
    const infected = statements.find((s) => s.Sid === AccessRuleSids.denyInfected);
    assert.equal(infected?.Resource, "arn:aws-cn:s3:::uploads/*");
  });

  it("applies the options it is given (fail-open drops the unscanned-read denies)", () => {
    const { accessRulePolicyStatements } = load();
    const arn = "arn:aws:iam::123456789012:role/scanner";
    const sids = (failClosed: boolean) =>
      accessRulePolicyStatements("uploads", arn, { failClosed }).map((s) => s.Sid);
    assert.ok(sids(true).includes(AccessRuleSids.denyUnscanned));
    assert.ok(!sids(false).includes(AccessRuleSids.denyUnscanned));
  });
});
