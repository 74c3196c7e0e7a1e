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
import { privateBucket } from "./private-bucket";
import { ComponentTypes } from "./types";

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

/**
 * A scanner's quarantine bucket and its policy. A component of its own, so that the policy pack tells
 * it from an upload bucket (which would need a scanner trigger): like the definitions and report
 * buckets, it is bucketwarden's own infrastructure.
 */
export class QuarantineBucket extends pulumi.ComponentResource {
  /** The bucket's name, known at preview (from invokes, like the upload bucket's). */
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly bucket: aws.s3.Bucket;
  readonly policy: aws.s3.BucketPolicy;

  constructor(name: string, args: QuarantineBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ComponentTypes.QuarantineBucket, name, {}, opts);
    this.bucketName = pulumi.all([args.accountId, args.region]).apply(([account, r]) =>
      uploadBucketName(name, {
        accountId: account,
        region: r,
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
      }),
    );
    const store = privateBucket(name, { forceDestroy: args.forceDestroy, bucketName: this.bucketName }, this);
    this.bucket = store.bucket;
    this.bucketArn = store.bucket.arn;
    // After the bucket's settings: S3 takes one configuration write at a time.
    this.policy = new aws.s3.BucketPolicy(
      childName(name, "policy"),
      {
        bucket: store.bucket.id,
        policy: pulumi.all([this.bucketName, args.scannerRoleArn]).apply(([bucketName, arn]) =>
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
      { parent: this, dependsOn: store.settings },
    );
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
