import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFINITIONS_UPDATED } from "../core/definitions-event";
import { ConfigError } from "../core/errors";
import { backlogJobPolicy, batchOperationsTrustPolicy, rescanStarterPolicy } from "../core/iam";
import type { LambdaArchitecture } from "../core/layer-layout";
import { autonamed, childName } from "../core/naming";
import { RESCAN_CONFIG_VARIABLE, type RescanStarterConfig } from "../core/rescan-starter";
import { DEFAULT_RESCAN_WINDOW, parseRescanWindow } from "../core/rescan-window";
import { EVENT_SOURCE } from "../core/verdict-event";
import { clamavFunction } from "./lambda-function";
import { privateBucket, tlsOnlyBucketPolicy } from "./private-bucket";
import { ComponentTypes } from "./types";

export interface BacklogScanningArgs {
  /** The scanner function each upload bucket's jobs invoke, by the upload bucket's key. */
  scannerFunctionArns: Record<string, pulumi.Input<string>>;
  /** Each upload bucket's ARN, by the same keys: jobs list these to generate their manifests. */
  uploadBucketArns: Record<string, pulumi.Input<string>>;
  /** Key prefix of the manifests (given or generated) in the report bucket. @default "manifests/" */
  manifestPrefix?: string;
  /** Key prefix of the jobs' completion reports in the report bucket. @default "reports/" */
  reportPrefix?: string;
  /** Delete the report bucket on destroy even when it holds reports. @default false */
  forceDestroy?: boolean;
  /**
   * Days S3 keeps manifests and completion reports before deleting them: a report is read when its job
   * ends, and a rerun writes its own. 0 keeps them forever. @default 90
   */
  retentionDays?: number;
  /**
   * How far back a rescan reaches when the updater publishes definitions that add signatures (its
   * `Definitions Updated` event): objects created within this window (`"24h"`, `"7d"`: a number and
   * s, m, h or d) are scanned again by one Batch Operations job per upload bucket, started by a small
   * function on an EventBridge rule. `"0"` or `false`: no rescans, no rule, no function. Cost per
   * million objects: README "Adopting a bucket that already holds data". @default "24h"
   */
  rescanWindow?: string | false;
  /** The bus the updater sends `Definitions Updated` to. @default the account's default bus */
  eventBusArn?: pulumi.Input<string>;
  /** Architecture of the rescan starter. @default "arm64" */
  architecture?: LambdaArchitecture;
  /** Retention of the rescan starter's logs, in days. @default 30 */
  logRetentionDays?: number;
}

/** A key prefix: not empty, no leading slash, ends with a slash. */
function checkPrefix(arg: string, prefix: string): void {
  if (!/^[^/].*\/$/.test(prefix))
    throw new ConfigError(arg, `"${prefix}" must be a key prefix like "reports/"`);
}

/**
 * What S3 Batch Operations jobs need to scan objects no upload event named (an adopted bucket's
 * backlog, a rescan after new signatures): the role the jobs run as, least privilege (see
 * `backlogJobPolicy`), and a private bucket for their manifests and completion reports. The jobs
 * themselves are created by whoever starts a scan (the CLI), from this component's outputs.
 */
export class BacklogScanning extends pulumi.ComponentResource {
  /** The role to pass as a job's `RoleArn`. */
  readonly jobRoleArn: pulumi.Output<string>;
  /** The bucket holding manifests and completion reports. */
  readonly reportBucketName: pulumi.Output<string>;
  /** The same bucket's ARN, as CreateJob's `Report.Bucket` and `ManifestOutputLocation.Bucket` take it. */
  readonly reportBucketArn: pulumi.Output<string>;
  /** Where a job's completion report goes (its `Report.Prefix`). */
  readonly reportPrefix: string;
  /** Where manifests go: written by the CLI, or a generator's `ManifestOutputLocation.ManifestPrefix`. */
  readonly manifestPrefix: string;
  /** The scanner function a job for each upload bucket invokes, by the bucket's key. */
  readonly scannerFunctionArns: pulumi.Output<Record<string, string>>;
  readonly jobRole: aws.iam.Role;
  readonly reportBucket: aws.s3.Bucket;
  /** Seconds a rescan reaches back; undefined when rescans are off. */
  readonly rescanWindowSeconds?: number;
  /** The function that starts rescan jobs, and the rule that runs it (absent when rescans are off). */
  readonly rescanStarter?: aws.lambda.Function;
  readonly rescanRule?: aws.cloudwatch.EventRule;

  constructor(name: string, args: BacklogScanningArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ComponentTypes.BacklogScanning, name, {}, opts);
    const manifestPrefix = args.manifestPrefix ?? "manifests/";
    const reportPrefix = args.reportPrefix ?? "reports/";
    const forceDestroy = args.forceDestroy ?? false;
    const retentionDays = args.retentionDays ?? 90;
    if (!Number.isInteger(retentionDays) || retentionDays < 0)
      throw new ConfigError(
        "retentionDays",
        `must be a whole number of days, 0 or more, got ${retentionDays}`,
      );
    const keys = Object.keys(args.scannerFunctionArns);
    if (keys.length === 0) throw new ConfigError("scannerFunctionArns", "name at least one scanner");
    const unmatched = keys.find((k) => !(k in args.uploadBucketArns));
    if (unmatched !== undefined || keys.length !== Object.keys(args.uploadBucketArns).length)
      throw new ConfigError("uploadBucketArns", "give one upload bucket for each scanner, by the same keys");
    checkPrefix("manifestPrefix", manifestPrefix);
    checkPrefix("reportPrefix", reportPrefix);
    if (manifestPrefix.startsWith(reportPrefix) || reportPrefix.startsWith(manifestPrefix))
      throw new ConfigError("reportPrefix", "must not overlap manifestPrefix: jobs may read manifests only");
    const child = { parent: this };

    const reports = privateBucket(childName(name, "reports"), { forceDestroy }, this);
    this.reportBucket = reports.bucket;
    this.reportBucketName = reports.bucket.bucket;
    this.reportBucketArn = reports.bucket.arn;
    this.reportPrefix = reportPrefix;
    this.manifestPrefix = manifestPrefix;
    const bucketPolicy = tlsOnlyBucketPolicy(childName(name, "reports-policy"), reports, this);
    if (retentionDays > 0)
      new aws.s3.BucketLifecycleConfiguration(
        childName(name, "reports-lifecycle"),
        {
          bucket: reports.bucket.id,
          rules: [manifestPrefix, reportPrefix].map((prefix) => ({
            id: `expire-${prefix.replace(/[^A-Za-z0-9-]+/g, "-").replace(/-+$/, "")}`,
            status: "Enabled",
            filter: { prefix },
            expiration: { days: retentionDays },
            // The bucket is versioned: an expired object becomes a noncurrent version, kept one more day.
            noncurrentVersionExpiration: { noncurrentDays: 1 },
          })),
        },
        // After the policy: one write to the bucket's configuration at a time.
        { parent: this, dependsOn: [bucketPolicy] },
      );

    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    this.jobRole = new aws.iam.Role(
      autonamed(childName(name, "job-role"), "role"),
      {
        description: "bucketwarden: S3 Batch Operations jobs that scan existing objects",
        assumeRolePolicy: accountId.apply((account) => JSON.stringify(batchOperationsTrustPolicy(account))),
      },
      child,
    );
    this.jobRoleArn = this.jobRole.arn;
    this.scannerFunctionArns = pulumi.output(args.scannerFunctionArns);
    new aws.iam.RolePolicy(
      autonamed(childName(name, "job-permissions"), "rolePolicy"),
      {
        role: this.jobRole.name,
        policy: pulumi
          .all([this.scannerFunctionArns, pulumi.output(args.uploadBucketArns), reports.bucket.arn])
          .apply(([functions, buckets, reportBucketArn]) =>
            JSON.stringify(
              backlogJobPolicy({
                // Sorted, so the document does not change with the order keys were given in.
                scannerFunctionArns: [...new Set(Object.values(functions))].sort(),
                uploadBucketArns: [...new Set(Object.values(buckets))].sort(),
                reportBucketArn,
                manifestPrefix,
                reportPrefix,
              }),
            ),
          ),
      },
      child,
    );

    this.rescanWindowSeconds = parseRescanWindow(args.rescanWindow ?? DEFAULT_RESCAN_WINDOW, "rescanWindow");
    if (this.rescanWindowSeconds !== undefined) {
      const windowSeconds = this.rescanWindowSeconds;
      const partition = aws.getPartitionOutput({}, child).partition;
      const config = pulumi
        .all([
          accountId,
          partition,
          this.jobRoleArn,
          reports.bucket.arn,
          this.scannerFunctionArns,
          pulumi.output(args.uploadBucketArns),
        ])
        .apply(
          ([account, p, jobRoleArn, reportBucketArn, functions, buckets]): RescanStarterConfig => ({
            accountId: account,
            partition: p,
            jobRoleArn,
            reportBucketArn,
            reportPrefix,
            manifestPrefix,
            windowSeconds,
            buckets: Object.keys(functions)
              .sort()
              .map((k) => ({ bucket: buckets[k].split(":::")[1], scannerFunctionArn: functions[k] })),
          }),
        );
      const starter = clamavFunction(
        childName(name, "rescan"),
        {
          handler: "rescan",
          description: "bucketwarden: starts a Batch Operations rescan when definitions add signatures",
          architecture: args.architecture ?? "arm64",
          layers: [],
          memoryMb: 256,
          timeoutSeconds: 60,
          ephemeralStorageMb: 512,
          environment: config.apply((c) => ({ [RESCAN_CONFIG_VARIABLE]: JSON.stringify(c) })),
          logRetentionDays: args.logRetentionDays ?? 30,
          policy: (logGroupArn) =>
            pulumi
              .all([this.jobRoleArn, logGroupArn])
              .apply(([jobRoleArn, logs]) => rescanStarterPolicy({ jobRoleArn, logGroupArn: logs })),
        },
        this,
      );
      this.rescanStarter = starter.fn;
      this.rescanRule = new aws.cloudwatch.EventRule(
        autonamed(childName(name, "rescan-rule"), "eventRule"),
        {
          description: "bucketwarden: new definitions added signatures; rescan recent uploads",
          ...(args.eventBusArn !== undefined && { eventBusName: args.eventBusArn }),
          eventPattern: JSON.stringify({ source: [EVENT_SOURCE], "detail-type": [DEFINITIONS_UPDATED] }),
        },
        child,
      );
      const permission = new aws.lambda.Permission(
        childName(name, "rescan-permission"),
        {
          action: "lambda:InvokeFunction",
          function: starter.fn.name,
          principal: "events.amazonaws.com",
          sourceArn: this.rescanRule.arn,
        },
        child,
      );
      new aws.cloudwatch.EventTarget(
        childName(name, "rescan-target"),
        {
          rule: this.rescanRule.name,
          ...(args.eventBusArn !== undefined && { eventBusName: args.eventBusArn }),
          arn: starter.fn.arn,
        },
        { parent: this, dependsOn: [permission] },
      );
    }

    this.registerOutputs({
      jobRoleArn: this.jobRoleArn,
      reportBucketName: this.reportBucketName,
      reportBucketArn: this.reportBucketArn,
      reportPrefix,
      manifestPrefix,
      scannerFunctionArns: this.scannerFunctionArns,
    });
  }
}
