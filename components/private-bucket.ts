import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { tlsOnlyStatement } from "../core/access-rule";
import { bucketPrefix, childName } from "../core/naming";

export interface PrivateBucketArgs {
  /** Delete the bucket on destroy even when it holds objects. */
  forceDestroy: boolean;
  /** The bucket's physical name, when it must be known before the bucket exists. @default autonamed from a prefix */
  bucketName?: pulumi.Input<string>;
}

export interface PrivateBucket {
  bucket: aws.s3.Bucket;
  /**
   * The settings every later change to the bucket must wait for: S3 answers "conflicting conditional
   * operation" when a policy or notification arrives while these are still being applied. They are
   * written one after the other, each waiting for the one before.
   */
  settings: pulumi.Resource[];
}

/**
 * A bucket that is private by construction: public access blocked, owner-enforced ownership (no ACLs,
 * the bucket owner owns every object), encryption at rest, and versioning, so every version can be
 * scanned and tagged on its own and an overwrite cannot inherit an older version's verdict.
 */
export function privateBucket(name: string, args: PrivateBucketArgs, parent: pulumi.Resource): PrivateBucket {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(
    name,
    {
      ...(args.bucketName === undefined ? { bucketPrefix: bucketPrefix(name) } : { bucket: args.bucketName }),
      forceDestroy: args.forceDestroy,
    },
    opts,
  );
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    childName(name, "public-access"),
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  // One write to the bucket's configuration at a time (see `settings`).
  const after = (previous: pulumi.Resource) => ({ parent, dependsOn: [previous] });
  const ownership = new aws.s3.BucketOwnershipControls(
    childName(name, "ownership"),
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    after(publicAccess),
  );
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    childName(name, "encryption"),
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    },
    after(ownership),
  );
  const versioning = new aws.s3.BucketVersioning(
    childName(name, "versioning"),
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    after(encryption),
  );
  return { bucket, settings: [publicAccess, ownership, encryption, versioning] };
}

/**
 * The policy of a private bucket that holds no uploads: requests over TLS only. Written once the
 * bucket's settings are (see {@link PrivateBucket.settings}).
 */
export function tlsOnlyBucketPolicy(
  name: string,
  store: PrivateBucket,
  parent: pulumi.Resource,
): aws.s3.BucketPolicy {
  return new aws.s3.BucketPolicy(
    name,
    {
      bucket: store.bucket.id,
      policy: store.bucket.arn.apply((arn) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(arn)] }),
      ),
    },
    { parent, dependsOn: store.settings },
  );
}
