/**
 * The upload bucket and its configuration, for {@link UploadScanner}: the created bucket and its
 * settings (see private-bucket.ts), then lifecycle, policy and notification. S3 takes one write to a bucket's configuration at a time,
 * so each waits for the one before.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { mergePolicy } from "../core/access-rule";
import { unkeptStatements, unkeptStatementsRefusal } from "../core/adoption";
import { BucketwardenError, ConfigError } from "../core/errors";
import { type CallerStatements, callerStatements } from "../core/iam";
import { childName, uploadBucketName } from "../core/naming";
import { type NotificationEntry, scanEventConflicts } from "../core/notifications";
import type { TagSchema } from "../core/tags";
import { ADOPTED_POLICY_STATEMENTS, uploadLifecycleRules } from "../core/upload-bucket";
import { accessRulePolicyStatements } from "./access-rule-statements";
import { liveBucketPolicy } from "./live-bucket-policy";
import { type PrivateBucket, privateBucket } from "./private-bucket";
import type { ScanTrigger } from "./scanner-trigger";
import type { ExtraNotifications, NewUploadBucketArgs, UploadScannerArgs } from "./upload-scanner-args";

/**
 * The bucket the component creates when `newBucket` is given (none for an adopted bucket), and the
 * name it gets either way it is created.
 */
export function uploadBucket(
  name: string,
  args: {
    newBucket: UploadScannerArgs["newBucket"];
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
  },
  parent: pulumi.Resource,
): { created?: PrivateBucket; plannedName: pulumi.Output<string> } {
  // A created bucket's name comes from invokes, not from S3's autonaming, so the policy naming it
  // (and the pack's rules reading that policy) are known during a first preview.
  const plannedName = pulumi.all([args.accountId, args.region]).apply(([account, r]) =>
    uploadBucketName(name, {
      accountId: account,
      region: r,
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    }),
  );
  const newBucket = args.newBucket;
  const created = newBucket
    ? privateBucket(
        name,
        {
          forceDestroy: newBucket === true ? false : (newBucket.forceDestroy ?? false),
          bucketName: plannedName,
        },
        parent,
      )
    : undefined;
  return { created, plannedName };
}

/** What the bucket policy is built from. */
export interface UploadPolicyArgs {
  bucketName: pulumi.Output<string>;
  scannerRoleArn: pulumi.Input<string>;
  verdictTags: TagSchema;
  failClosed: boolean;
  /** True when the component created the bucket; an adopted bucket's live policy is read and checked. */
  created: boolean;
  /** Pending-marked versions stay readable (an adopted bucket, readable until scanned). */
  preExistingReadable?: boolean;
  args: Pick<
    UploadScannerArgs,
    "policyStatements" | "serverSideCopies" | "breakGlassRoleArns" | "replicationRoleArns"
  >;
}

/** The bucket policy as written: the access rule and the caller's statements, as JSON. */
export function uploadPolicyDocument(p: UploadPolicyArgs, parent: pulumi.Resource): pulumi.Output<string> {
  const args = p.args;
  return pulumi
    .all([
      p.bucketName,
      p.scannerRoleArn,
      args.policyStatements,
      pulumi.output(args.serverSideCopies?.fromBuckets ?? []),
      // An adopted bucket's live policy: statements in it the caller did not pass would be lost.
      p.created ? undefined : liveBucketPolicy(p.bucketName, parent),
    ])
    .apply(([bucket, arn, callers, copyBuckets, live]) => {
      const passed = callerStatements(callers as CallerStatements);
      const unkept = unkeptStatements(live, passed);
      if (unkept.length > 0)
        throw new ConfigError(
          "policyStatements",
          unkeptStatementsRefusal(bucket, unkept, ADOPTED_POLICY_STATEMENTS),
        );
      // The role's ARN carries the partition (built from the same invoke as the role's).
      const rule = accessRulePolicyStatements(bucket, arn, {
        verdictTags: p.verdictTags,
        failClosed: p.failClosed,
        preExistingReadable: p.preExistingReadable,
        breakGlassRoleArns: args.breakGlassRoleArns,
        replicationRoleArns: args.replicationRoleArns,
        serverSideCopies: { withinBucket: args.serverSideCopies?.withinBucket, fromBuckets: copyBuckets },
      });
      return JSON.stringify(mergePolicy(rule, passed));
    });
}

/** Expiry of old versions and abandoned multipart uploads in a created bucket; none when both are 0. */
export function uploadLifecycle(
  name: string,
  created: PrivateBucket,
  args: NewUploadBucketArgs | true,
  parent: pulumi.Resource,
): aws.s3.BucketLifecycleConfiguration | undefined {
  const rules = uploadLifecycleRules(args === true ? {} : args);
  if (rules.length === 0) return undefined;
  return new aws.s3.BucketLifecycleConfiguration(
    childName(name, "uploads-lifecycle"),
    { bucket: created.bucket.id, rules },
    { parent, dependsOn: created.settings },
  );
}

/**
 * The bucket's policy, written after the created bucket's lifecycle, or else its settings: S3 answers
 * "conflicting conditional operation" to concurrent writes to one bucket's configuration.
 */
export function uploadBucketPolicy(
  name: string,
  args: {
    bucket: pulumi.Input<string>;
    policy: pulumi.Input<string>;
    lifecycle?: pulumi.Resource;
    created?: PrivateBucket;
    /** An adopted bucket's: the marker's invocation, which must finish before the rule applies. */
    after?: pulumi.Resource[];
  },
  parent: pulumi.Resource,
): aws.s3.BucketPolicy {
  const before = args.lifecycle ? [args.lifecycle] : (args.created?.settings ?? []);
  return new aws.s3.BucketPolicy(
    childName(name, "policy"),
    { bucket: args.bucket, policy: args.policy },
    { parent, dependsOn: [...before, ...(args.after ?? [])] },
  );
}

/** The bucket's one notification configuration: the scanner's entry and the caller's. */
export function uploadNotifications(
  name: string,
  args: {
    bucket: pulumi.Input<string>;
    wiring: ScanTrigger;
    extra: ExtraNotifications;
    after: pulumi.Resource[];
  },
  parent: pulumi.Resource,
): aws.s3.BucketNotification {
  const { wiring, extra } = args;
  // The scanner's entries stay a plain array (their fields may be unknown one by one), so the pack
  // sees them during a first preview; the caller's entries, when given, are checked once known.
  const merge = <T>(
    kind: string,
    ours: T[],
    theirs: pulumi.Input<pulumi.Input<T>[]> | undefined,
  ): pulumi.Input<pulumi.Input<T>[]> =>
    theirs === undefined
      ? ours
      : (pulumi.all([pulumi.output(ours), pulumi.output(theirs)]).apply(([mine, list]) => {
          const conflicts = scanEventConflicts(
            `extraNotifications.${kind}`,
            list as unknown as NotificationEntry[],
          );
          if (conflicts.length > 0)
            throw new BucketwardenError(
              `${conflicts.join("; ")}: the scanner takes every object-created event; use eventbridge: true for your own`,
            );
          return [...mine, ...list];
        }) as pulumi.Output<T[]>);
  return new aws.s3.BucketNotification(
    childName(name, "notifications"),
    {
      bucket: args.bucket,
      queues: merge("queues", wiring.queues, extra.queues),
      lambdaFunctions: merge("lambdaFunctions", wiring.lambdaFunctions, extra.lambdaFunctions),
      topics: merge<aws.types.input.s3.BucketNotificationTopic>("topics", [], extra.topics),
      eventbridge: extra.eventbridge,
    },
    { parent, dependsOn: [...wiring.dependsOn, ...args.after, ...(extra.dependsOn ?? [])] },
  );
}
