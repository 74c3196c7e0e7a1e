import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../core/errors";
import { updaterEnvironment } from "../core/handler-config";
import { updaterPolicy } from "../core/iam";
import type { LambdaArchitecture } from "../core/layer-layout";
import { checkLimit, checkLogRetention, UpdaterLimits } from "../core/limits";
import { UpdaterMetrics } from "../core/metrics";
import { autonamed, childName } from "../core/naming";
import { DEFAULT_UPDATE_SCHEDULE, scheduleProblem, staleDefinitionsSeconds } from "../core/schedule";
import * as size from "../core/sizing";
import { defaultEventBusArn } from "../core/verdict-event";
import { lambdaErrorsAlarm, loggedValueAlarm } from "./alarms";
import { clamavFunction } from "./lambda-function";
import { clamavLayer } from "./layer";
import { privateBucket, tlsOnlyBucketPolicy } from "./private-bucket";
import { type ResourceTags, withResourceTags } from "./resource-tags";
import { ComponentTypes } from "./types";

/** What a scanner needs to know about the definitions it reads. {@link DefinitionsStore} is one. */
export interface DefinitionsRef {
  /** Name of the bucket holding the database and its manifest. */
  readonly bucketName: pulumi.Input<string>;
  /** ARN of that bucket. */
  readonly bucketArn: pulumi.Input<string>;
  /** Key prefix of the database inside the bucket, ending in `/`. */
  readonly prefix: pulumi.Input<string>;
  /** Resources a scanner's trigger should wait for, so the first upload finds a database. @default [] */
  readonly ready?: pulumi.Resource[];
  /**
   * Whether the database includes ClamAV's official one, which sets the scanner's least memory.
   * @default true
   */
  readonly officialDatabases?: pulumi.Input<boolean>;
}

export interface DefinitionsStoreArgs {
  /** Architecture of the updater and its layer (a build output, so not an `Input`). @default "arm64" */
  architecture?: LambdaArchitecture;
  /** Key prefix of the database inside the bucket. @default "clamav/" */
  prefix?: pulumi.Input<string>;
  /**
   * EventBridge schedule of the updater. Never more often than hourly: ClamAV's mirrors ask for at
   * most one check an hour, and block clients that check more often. @default "rate(12 hours)"
   */
  schedule?: pulumi.Input<string>;
  /** Fetch ClamAV's official databases. @default true */
  officialDatabases?: pulumi.Input<boolean>;
  /** freshclam `DatabaseMirror` hosts. @default the updater's default, ["database.clamav.net"] */
  databaseMirrors?: pulumi.Input<string[]>;
  /** freshclam `PrivateMirror` URLs, used instead of the public mirrors. @default [] */
  privateMirrors?: pulumi.Input<string[]>;
  /** freshclam `DatabaseCustomURL`s of extra databases. @default [] */
  customDatabaseUrls?: pulumi.Input<string[]>;
  /** Updater memory: it test-loads each database before publishing it. @default 2048 */
  memoryMb?: number;
  /** Updater timeout. @default 600 */
  timeoutSeconds?: number;
  /** Updater `/tmp`: the previous database, the new one and scratch. @default 1312 */
  ephemeralStorageMb?: number;
  /** Days before a replaced manifest or database file version is deleted. @default 7 */
  noncurrentVersionDays?: number;
  /** Delete the bucket on destroy even when it holds a database: it can always be downloaded again. @default true */
  forceDestroy?: boolean;
  /** Invoke the updater once on creation, so scanners have definitions from the first minute. @default true */
  updateOnCreate?: boolean;
  /** SNS topics told when the updater fails. @default [] */
  alarmTopicArns?: pulumi.Input<string[]>;
  /** Retention of the updater's logs, in days. @default 30 */
  /**
   * The EventBridge bus the updater sends `Definitions Updated` to when new definitions add
   * signatures (BacklogScanning's rescan rule listens there). @default the account's default bus
   */
  eventBusArn?: pulumi.Input<string>;
  logRetentionDays?: number;
  /**
   * AWS resource tags put on every taggable resource this component creates (buckets, functions,
   * roles, queues, log groups, rules, alarms; layer versions take none). Resource tags only: they
   * have nothing to do with the object-verdict tags the scanner writes on uploads. @default none
   */
  tags?: ResourceTags;
  /** Prefix of names AWS does not generate (the layer's). @default the component's name */
  namePrefix?: string;
}

/**
 * A private bucket of ClamAV signatures kept current by a scheduled updater (freshclam in a layer).
 * One store serves the scanners of any number of upload buckets.
 */
export class DefinitionsStore extends pulumi.ComponentResource implements DefinitionsRef {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly prefix: pulumi.Output<string>;
  readonly layer: aws.lambda.LayerVersion;
  readonly updater: aws.lambda.Function;
  readonly updaterRole: aws.iam.Role;
  readonly schedule: aws.cloudwatch.EventRule;
  /** The update run at creation, when `updateOnCreate`. */
  readonly initialUpdate?: aws.lambda.Invocation;
  /**
   * What the update at creation reported (`published`, `cool-down`, `no-definitions`...), or
   * `"skipped"` without one: a deploy succeeds even when ClamAV's mirror refuses the account, and
   * this output and {@link definitionsMissingAlarm} say so.
   */
  readonly initialUpdateStatus: pulumi.Output<string>;
  /** Fires within minutes when an update run ends with no database published at all. */
  readonly definitionsMissingAlarm: aws.cloudwatch.MetricAlarm;
  /** Fires when the manifest the scanners read is older than two missed updates (at least two days). */
  readonly definitionsStaleAlarm: aws.cloudwatch.MetricAlarm;
  readonly ready: pulumi.Resource[];
  readonly officialDatabases: pulumi.Input<boolean>;

  constructor(name: string, args: DefinitionsStoreArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super(ComponentTypes.DefinitionsStore, name, {}, withResourceTags(opts, args.tags));
    const architecture = args.architecture ?? "arm64";
    // The handlers add a missing slash too; the IAM grants must use the same form, or "db" would also grant "dbx/".
    const prefix = pulumi
      .output(args.prefix ?? "clamav/")
      .apply((p) => (p === "" || p.endsWith("/") ? p : `${p}/`));
    const schedule = pulumi.output(args.schedule ?? DEFAULT_UPDATE_SCHEDULE).apply(checkSchedule);
    const memoryMb = args.memoryMb ?? size.DEFAULT_UPDATER_MEMORY_MB;
    const timeoutSeconds = args.timeoutSeconds ?? size.DEFAULT_UPDATER_TIMEOUT_SECONDS;
    const ephemeralStorageMb = args.ephemeralStorageMb ?? size.UPDATER_STORAGE_MB;
    const noncurrentVersionDays = args.noncurrentVersionDays ?? 7;
    const forceDestroy = args.forceDestroy ?? true;
    const updateOnCreate = args.updateOnCreate ?? true;
    const namePrefix = args.namePrefix ?? name;
    // Checked here too when known now, so a bad literal fails at construction rather than at deploy.
    if (typeof args.schedule === "string") checkSchedule(args.schedule);
    // The same ranges the stack settings are held to (core/limits.ts), by argument name. An
    // official-databases flag not known yet (an Output) is held to the smaller database's floor.
    const official = args.officialDatabases === undefined || args.officialDatabases === true;
    checkLimit("memoryMb", memoryMb, UpdaterLimits.memoryMb(official));
    checkLimit("timeoutSeconds", timeoutSeconds, UpdaterLimits.timeoutSeconds);
    checkLimit("ephemeralStorageMb", ephemeralStorageMb, UpdaterLimits.ephemeralStorageMb);
    checkLogRetention("logRetentionDays", args.logRetentionDays ?? 30);
    this.officialDatabases = args.officialDatabases ?? true;
    const child = { parent: this };

    const store = privateBucket(childName(name, "bucket"), { forceDestroy }, this);
    this.bucket = store.bucket;
    this.bucketName = store.bucket.bucket;
    this.bucketArn = store.bucket.arn;
    this.prefix = prefix;
    const bucketPolicy = tlsOnlyBucketPolicy(childName(name, "bucket-policy"), store, this);
    // Each update overwrites the manifest; old versions are only worth keeping for a short rollback.
    new aws.s3.BucketLifecycleConfiguration(
      childName(name, "bucket-lifecycle"),
      {
        bucket: store.bucket.id,
        rules: [
          {
            id: "expire-replaced-definitions",
            status: "Enabled",
            filter: { prefix },
            noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      // After the policy: one write to the bucket's configuration at a time.
      { parent: this, dependsOn: [bucketPolicy] },
    );

    this.layer = clamavLayer(
      childName(name, "freshclam-layer"),
      { kind: "freshclam", architecture, namePrefix, stagingBucket: this.bucketName },
      this,
    );
    // The bus `Definitions Updated` goes to: named, so the role may put events on it alone.
    const eventBusArn: pulumi.Output<string> = args.eventBusArn
      ? pulumi.output(args.eventBusArn)
      : pulumi
          .all([
            aws.getPartitionOutput({}, { parent: this }).partition,
            aws.getRegionOutput({}, { parent: this }).region,
            aws.getCallerIdentityOutput({}, { parent: this }).accountId,
          ])
          .apply(([p, r, a]) => defaultEventBusArn(p, r, a));
    const updater = clamavFunction(
      childName(name, "updater"),
      {
        handler: "updater",
        description: "bucketwarden: refreshes the ClamAV signature database",
        architecture,
        layers: [this.layer.arn],
        memoryMb,
        timeoutSeconds,
        ephemeralStorageMb,
        environment: pulumi
          .output({
            definitionsBucket: this.bucketName,
            definitionsPrefix: prefix,
            officialDatabases: args.officialDatabases,
            databaseMirrors: args.databaseMirrors,
            privateMirrors: args.privateMirrors,
            customDatabaseUrls: args.customDatabaseUrls,
            eventBusName: eventBusArn,
          })
          .apply(updaterEnvironment),
        logRetentionDays: args.logRetentionDays ?? 30,
        policy: (logGroupArn) =>
          pulumi
            .output({
              definitionsBucketArn: this.bucketArn,
              definitionsPrefix: prefix,
              logGroupArn,
              eventBusArn,
            })
            .apply(updaterPolicy),
      },
      this,
    );
    this.updater = updater.fn;
    this.updaterRole = updater.role;

    this.schedule = new aws.cloudwatch.EventRule(
      autonamed(childName(name, "schedule"), "eventRule"),
      { description: "bucketwarden: run the ClamAV definitions updater", scheduleExpression: schedule },
      child,
    );
    const invokePermission = new aws.lambda.Permission(
      autonamed(childName(name, "schedule-permission"), "permission"),
      {
        action: "lambda:InvokeFunction",
        function: updater.fn.name,
        principal: "events.amazonaws.com",
        sourceArn: this.schedule.arn,
      },
      child,
    );
    new aws.cloudwatch.EventTarget(
      childName(name, "schedule-target"),
      { rule: this.schedule.name, arn: updater.fn.arn },
      { parent: this, dependsOn: [invokePermission] },
    );
    // EventBridge invokes asynchronously, and Lambda would retry a failed run twice within minutes:
    // ClamAV's mirrors block clients that check more than hourly, so the schedule is the only retry.
    new aws.lambda.FunctionEventInvokeConfig(
      childName(name, "updater-async-config"),
      { functionName: updater.fn.name, maximumRetryAttempts: 0 },
      child,
    );
    const alarmTopicArns = args.alarmTopicArns ?? [];
    const metricsNamespace = pulumi.interpolate`Bucketwarden/${updater.fn.name}`;
    this.definitionsMissingAlarm = loggedValueAlarm(
      childName(name, "definitions-missing"),
      {
        description:
          "bucketwarden: the updater has no database to publish (ClamAV's mirror refused it, 403/429?); scanners cannot scan and uploads stay unreadable",
        logGroupName: updater.logGroup.name,
        field: UpdaterMetrics.definitionsMissing,
        namespace: metricsNamespace,
        statistic: "Maximum",
        period: 60,
        threshold: 1,
        alarmTopicArns,
      },
      this,
    );
    this.definitionsStaleAlarm = loggedValueAlarm(
      childName(name, "definitions-stale"),
      {
        description: "bucketwarden: the signatures the scanners use are older than two missed updates",
        logGroupName: updater.logGroup.name,
        field: UpdaterMetrics.definitionsAgeSeconds,
        namespace: metricsNamespace,
        statistic: "Maximum",
        period: 3600,
        threshold: schedule.apply(staleDefinitionsSeconds),
        alarmTopicArns,
      },
      this,
    );
    lambdaErrorsAlarm(
      childName(name, "updater-errors"),
      {
        functionName: updater.fn.name,
        description: "bucketwarden: the definitions updater failed; scanners keep using older signatures",
        alarmTopicArns,
      },
      this,
    );

    if (updateOnCreate) {
      this.initialUpdate = new aws.lambda.Invocation(
        childName(name, "initial-update"),
        {
          functionName: updater.fn.name,
          input: JSON.stringify({ source: "bucketwarden.deploy", reason: "first definitions" }),
        },
        { parent: this, dependsOn: [updater.rolePolicy, bucketPolicy] },
      );
    }
    this.ready = this.initialUpdate ? [this.initialUpdate] : [];
    this.initialUpdateStatus = this.initialUpdate
      ? this.initialUpdate.result.apply(updateStatusOf)
      : pulumi.output("skipped");

    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      prefix: this.prefix,
      updaterName: this.updater.name,
      layerArn: this.layer.arn,
      initialUpdateStatus: this.initialUpdateStatus,
      definitionsMissingAlarm: this.definitionsMissingAlarm.name,
      definitionsStaleAlarm: this.definitionsStaleAlarm.name,
    });
  }
}

function checkSchedule(expression: string): string {
  const problem = scheduleProblem(expression);
  if (problem) throw new ConfigError("schedule", `"${expression}" ${problem}`);
  return expression;
}

/** The `status` of the updater's JSON result, or why there is none. */
export function updateStatusOf(result: string | undefined): string {
  if (result === undefined || result === "") return "unknown";
  try {
    const status = (JSON.parse(result) as { status?: unknown }).status;
    return typeof status === "string" ? status : "unknown";
  } catch {
    return "unknown";
  }
}
