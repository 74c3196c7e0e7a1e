import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * What AWS's provider answers when a bucket has no policy: an error, not an empty policy
 * (pulumi/pulumi-aws#5683, hashicorp/terraform-provider-aws#35818).
 */
const NO_POLICY = /couldn't find resource|NoSuchBucketPolicy/i;

/**
 * The live policy of an existing bucket, read at deploy time (and at preview), or undefined when it
 * has none. Any other failure (no permission, no such bucket) stops the deploy with its own error.
 */
export function liveBucketPolicy(
  bucket: pulumi.Input<string>,
  parent: pulumi.Resource,
): pulumi.Output<string | undefined> {
  return pulumi.output(bucket).apply((name) =>
    aws.s3.getBucketPolicy({ bucket: name }, { parent }).then(
      (found): string | undefined => found.policy,
      (e: unknown) => {
        if (NO_POLICY.test(String((e as Error)?.message ?? e))) return undefined;
        throw e;
      },
    ),
  );
}
