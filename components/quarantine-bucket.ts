/**
 * The quarantine bucket of one {@link UploadScanner}: where the scanner copies infected versions
 * (core/infected-actions) when `infectedObjects.quarantine` is on. Private, versioned, encrypted
 * (private-bucket.ts), and under the quarantine rule: every copy carries its infected verdict, so
 * nothing but the scanner and the break-glass roles reads a byte of it, and requests are TLS only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { mergePolicy, scannerRole } from "../core/access-rule";
import { quarantineRuleStatements } from "../core/infected-actions";
import { childName, uploadBucketName } from "../core/naming";
import type { TagSchema } from "../core/tags";
import { type PrivateBucket, privateBucket } from "./private-bucket";

export interface QuarantineBucketArgs {
  /** The scanner's role, the only principal that writes copies. */
  scannerRoleArn: pulumi.Input<string>;
  /** The verdict tags the copies carry and the rule reads. */
  verdictTags: TagSchema;
  /** Roles exempt from the read denies, to look at or release what was quarantined. */
  breakGlassRoleArns: readonly string[];
  /** Delete the bucket on destroy even when it holds copies. */
  forceDestroy: boolean;
  accountId: pulumi.Output<string>;
  region: pulumi.Output<string>;
}

export interface QuarantineBucket {
  bucket: PrivateBucket;
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  policy: aws.s3.BucketPolicy;
}

/** Creates the bucket, its settings and its policy (after the settings: one configuration write at a time). */
export function quarantineBucket(
  name: string,
  args: QuarantineBucketArgs,
  parent: pulumi.Resource,
): QuarantineBucket {
  // Named from invokes like the upload bucket, so its policy is known during a first preview.
  const plannedName = pulumi.all([args.accountId, args.region]).apply(([account, r]) =>
    uploadBucketName(name, {
      accountId: account,
      region: r,
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    }),
  );
  const bucket = privateBucket(name, { forceDestroy: args.forceDestroy, bucketName: plannedName }, parent);
  const policy = new aws.s3.BucketPolicy(
    childName(name, "policy"),
    {
      bucket: bucket.bucket.id,
      policy: pulumi.all([plannedName, args.scannerRoleArn]).apply(([bucketName, arn]) =>
        JSON.stringify(
          mergePolicy(
            quarantineRuleStatements({
              bucket: bucketName,
              tags: args.verdictTags,
              scanner: scannerRole(arn),
              breakGlass: args.breakGlassRoleArns,
              partition: /^arn:([a-z-]+):/.exec(arn)?.[1] ?? "aws",
            }),
            [],
          ),
        ),
      ),
    },
    { parent, dependsOn: bucket.settings },
  );
  return { bucket, name: plannedName, arn: bucket.bucket.arn, policy };
}
