/**
 * upload-bucket-kms-readable against the components' own stack (under mocks): a bucket of the program
 * encrypted with a customer-managed key, protected by an UploadScanner with and without the key in
 * `kmsKeyArns`, after the deploy and during a first preview.
 */
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { UploadScanner } from "../../components";
import { uploadBucketKmsReadable } from "../../policies/rules";
import { installPulumiMocks } from "../support/pulumi-mocks";
import { stackArgs } from "./support/policy-resources";
import { recordedStack } from "./support/recorded-stack";
import { assertPasses, runRule } from "./support/run-rule";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DEFINITIONS = { bucketName: "defs", bucketArn: "arn:aws:s3:::defs", prefix: "clamav/" };

async function stackWith(opts: { grant: boolean; kmsMasterKeyId?: string; sseAlgorithm?: string }) {
  const rec = installPulumiMocks({ stack: "kms" });
  const bucket = new aws.s3.Bucket("sealed", { bucket: "acme-sealed" });
  new aws.s3.BucketServerSideEncryptionConfiguration("sealed-encryption", {
    bucket: bucket.bucket,
    rules: [
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: opts.sseAlgorithm ?? "aws:kms",
          kmsMasterKeyId: opts.kmsMasterKeyId ?? KEY,
        },
      },
    ],
  });
  new UploadScanner("sealed-scanner", {
    existingBucketName: bucket.bucket,
    adoptExistingBucket: true,
    definitions: DEFINITIONS,
    kmsKeyArns: opts.grant ? [KEY] : [],
  });
  await rec.settle();
  return rec.resources;
}

describe("policy upload-bucket-kms-readable", () => {
  it("passes a bucket whose scanner may decrypt with its customer-managed key", async () => {
    assertPasses(
      await runRule(uploadBucketKmsReadable, stackArgs(recordedStack(await stackWith({ grant: true })))),
    );
  });

  it("flags a bucket whose scanner cannot use its customer-managed key", async () => {
    const result = await runRule(
      uploadBucketKmsReadable,
      stackArgs(recordedStack(await stackWith({ grant: false }))),
    );
    assert.deepEqual(
      result.violations.map((v) => v.message),
      [
        `Upload bucket "sealed" must let its scanner decrypt its objects: it is encrypted with KMS key "${KEY}", and the role of Function "sealed-scanner-scanner" has no kms:Decrypt on it`,
      ],
    );
  });

  it("needs no grant for SSE-S3 or the AWS-managed aws/s3 key", async () => {
    for (const opts of [
      { grant: false, sseAlgorithm: "AES256", kmsMasterKeyId: "" },
      { grant: false, kmsMasterKeyId: "alias/aws/s3" },
    ])
      assertPasses(await runRule(uploadBucketKmsReadable, stackArgs(recordedStack(await stackWith(opts)))));
  });

  it("passes at a first preview: the KMS grant is a document of its own, known before the role exists", async () => {
    const granted = recordedStack(await stackWith({ grant: true }), { preview: true, leaves: true });
    assertPasses(await runRule(uploadBucketKmsReadable, stackArgs(granted)));
  });

  it("leaves a missing grant open at a first preview, since the role's other policy is not known yet", async () => {
    const denied = recordedStack(await stackWith({ grant: false }), { preview: true, leaves: true });
    const result = await runRule(uploadBucketKmsReadable, stackArgs(denied));
    assert.deepEqual(result.violations, []);
    assert.match(
      result.undecided ?? "",
      /the policy of RolePolicy "sealed-scanner-scanner-permissions" is unknown/,
    );
  });
});
