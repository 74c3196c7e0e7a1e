import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { mergePolicy } from "../core/access-rule";
import {
  adoptionRefusal,
  COMPONENT_ADOPTION_TERMS,
  unkeptStatements,
  unkeptStatementsRefusal,
} from "../core/adoption";
import { BucketwardenError, ConfigError } from "../core/errors";
import { ENGINE_MAX_OBJECT_BYTES, scannerEnvironment } from "../core/handler-config";
import { type CallerStatements, callerStatements, kmsDecryptPolicy, scannerPolicy } from "../core/iam";
import type { LambdaArchitecture } from "../core/layer-layout";
import { checkLimit, checkLogRetention, ScannerLimits } from "../core/limits";
import { ScannerMetrics } from "../core/metrics";
import { autonamed, childName, roleArn, roleName, uploadBucketName } from "../core/naming";
import { type NotificationEntry, scanEventConflicts } from "../core/notifications";
import type { TriggerKind } from "../core/settings";
import * as size from "../core/sizing";
import { DEFAULT_TAG_SCHEMA, type TagSchema } from "../core/tags";
import { defaultEventBusArn } from "../core/verdict-event";
import { accessRulePolicyStatements } from "./access-rule-statements";
import { deadLetterAlarm, loggedValueAlarm, queueAgeAlarm } from "./alarms";
import type { DefinitionsRef } from "./definitions-store";
import { clamavFunction } from "./lambda-function";
import { clamavLayer } from "./layer";
import { liveBucketPolicy } from "./live-bucket-policy";
import { privateBucket } from "./private-bucket";
import { DEFAULT_PROJECT_ROOT } from "./project-root";
import { type ResourceTags, withResourceTags } from "./resource-tags";
import { directTrigger, queueTrigger, type ScanTrigger, scanQueues } from "./scanner-trigger";
import { ComponentTypes } from "./types";

/** How the component creates an upload bucket of its own. */
export interface NewUploadBucketArgs {
  /** Delete the bucket on destroy even when it holds uploads. @default false */
  forceDestroy?: boolean;
  /**
   * Days an overwritten or deleted upload's old version is kept before S3 deletes it. Versioning keeps
   * every version (each scanned on its own), so without this the bucket grows with every overwrite.
   * 0 keeps old versions forever. @default 30
   */
  noncurrentVersionDays?: number;
  /** Days before S3 deletes the parts of a multipart upload never completed. 0 keeps them. @default 7 */
  abortIncompleteUploadDays?: number;
}

/** Lifecycle defaults of a created upload bucket. */
export const UPLOAD_LIFECYCLE_DEFAULTS = { noncurrentVersionDays: 30, abortIncompleteUploadDays: 7 } as const;

/**
 * Notification entries of the caller's own, written beside the scanner's. A bucket has exactly one
 * notification configuration and this component owns it, so add other destinations here, not with a
 * second `BucketNotification`, which would replace the scanner's. The scanner's entry takes every
 * `s3:ObjectCreated:*` event, and S3 rejects overlapping entries: for object-created events of your own,
 * set `eventbridge: true` and route them with an EventBridge rule.
 */
export interface ExtraNotifications {
  /**
   * Resources the notification must wait for, typically your destinations' permissions (a queue
   * policy, an SNS topic policy, a `lambda.Permission`): S3 tests every destination when the
   * configuration is written and refuses it if one cannot be reached. @default []
   */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** More SQS destinations. @default [] */
  queues?: pulumi.Input<pulumi.Input<aws.types.input.s3.BucketNotificationQueue>[]>;
  /** SNS destinations. @default [] */
  topics?: pulumi.Input<pulumi.Input<aws.types.input.s3.BucketNotificationTopic>[]>;
  /** More Lambda destinations. @default [] */
  lambdaFunctions?: pulumi.Input<pulumi.Input<aws.types.input.s3.BucketNotificationLambdaFunction>[]>;
  /** Send every event of the bucket to EventBridge too. @default false */
  eventbridge?: pulumi.Input<boolean>;
}

export interface UploadScannerArgs {
  /**
   * An existing bucket to protect, by name. Give this or `newBucket`, not both. It needs
   * `adoptExistingBucket: true`. @default none
   */
  existingBucketName?: pulumi.Input<string>;
  /**
   * Accept that adopting `existingBucketName` replaces the bucket's one policy (statements not passed
   * in `policyStatements` are lost) and its one notification configuration (entries not passed in
   * `extraNotifications` are lost). Without it the component refuses an existing bucket. With it, the
   * bucket's live policy is read at deploy time (`s3:GetBucketPolicy`), and statements in it neither
   * passed nor the access rule's stop the deploy, listed, until the policy holds the access rule.
   * @default false
   */
  adoptExistingBucket?: boolean;
  /** Create the upload bucket (private, versioned, encrypted). Give this or `existingBucketName`, not both. @default none */
  newBucket?: NewUploadBucketArgs | true;
  /** The definitions the scanner reads: a {@link DefinitionsStore}, shared by every scanner. */
  definitions: DefinitionsRef;
  /** Architecture of the function; must match the layer's. @default "arm64" */
  architecture?: LambdaArchitecture;
  /** A scanner layer to share (see `MalwareScanning`). @default a layer of its own from `.build/layers` */
  scannerLayerArn?: pulumi.Input<string>;
  /**
   * The object-verdict tag schema: the tags the scanner writes on each upload (`Infected=true|false`...)
   * and the bucket policy reads. Not resource tags (see `tags`). @default Infected = true/false
   */
  verdictTags?: TagSchema;
  /** Deny reads of every object not yet scanned clean. @default true */
  failClosed?: boolean;
  /**
   * Roles an operator assumes to release a false positive: exempt from the read and verdict-tag denies,
   * so they can read an object the engine flagged and tag it clean. Every use is a CloudTrail data event
   * (turn on S3 data events for the bucket to keep them). @default [] (no break-glass role)
   */
  breakGlassRoleArns?: string[];
  /**
   * Roles S3 replication runs as, out of this bucket or into it. S3 gives replication no object-tag
   * condition, so these roles replicate every object, scanned or not, with its tags: give the
   * destination bucket the same rule, naming the source's role. @default [] (replication denied)
   */
  replicationRoleArns?: string[];
  /**
   * Server-side copies (CopyObject, UploadPartCopy) principals other than the scanner may make into the
   * bucket. A copy keeps its source's tags, so allow only sources under this same rule: the bucket
   * itself (`withinBucket`, which also lets clients rename objects), or other protected upload buckets
   * (`fromBuckets`). @default none (copies denied)
   */
  serverSideCopies?: { withinBucket?: boolean; fromBuckets?: pulumi.Input<string>[] };
  /**
   * The EventBridge bus that gets an event per verdict (`Object Scanned`, `Object Scan Failed`; schema
   * in handlers/README.md). The scanner may put events on this bus only. @default the account's
   * default bus in the stack's region
   */
  eventBusArn?: pulumi.Input<string>;
  /** `"queue"`: S3 → SQS (with a dead-letter queue) → Lambda. `"direct"`: S3 invokes Lambda, as in the seed. @default "queue" */
  trigger?: TriggerKind;
  /**
   * Scanner memory. clamd holds the official database in ~1.5 GB, plus the runtime; Lambda also scales
   * CPU with memory, and loading the database is CPU-bound. With 3328 or more, clamd loads new
   * definitions beside the old ones and scans continue; below, it reloads in place and scans wait
   * during the reload. @default 3008, the most an account with the default quota may use
   */
  memoryMb?: number;
  /** Scanner timeout: a cold start loads the database (minutes) before the first scan. @default 900 */
  timeoutSeconds?: number;
  /** Objects larger than this get the limits-exceeded verdict, which is never clean. @default 2000000000 */
  maxObjectBytes?: number;
  /**
   * Scanner `/tmp`: clamd spools each object there before scanning, so it must hold the largest object
   * once for each scan that runs at once (two when `batchSize` is over 1), the database twice (in use,
   * and the next one downloading) and clamd's scratch space.
   * @default objects at once × maxObjectBytes in MB + 2 × 400 + 512
   */
  ephemeralStorageMb?: number;
  /** Events per invocation (trigger "queue"); one keeps a slow scan from timing out a batch. @default 1 */
  batchSize?: number;
  /**
   * Most scanners at once; each loads the whole database. Trigger "queue": the event source's maximum
   * concurrency (events wait in the queue). Trigger "direct": the function's reserved concurrency
   * (Lambda holds back throttled S3 events and retries them for up to six hours); reserving takes
   * that many from the account's unreserved concurrency. @default 5
   */
  maxConcurrency?: number;
  /** Alarm when the oldest queued event is this old (trigger "queue"). @default 1800 */
  oldestMessageAlarmSeconds?: number;
  /** SNS topics told about backlogs and dead letters. @default [] */
  alarmTopicArns?: pulumi.Input<string[]>;
  /**
   * The caller's own bucket-policy statements (a list, a document, or its JSON). A bucket has one
   * policy and this component writes it: these are kept beside the access rule, never replaced.
   * For an existing bucket, list its current statements here, or `pulumi up` replaces them.
   * @default []
   */
  policyStatements?: pulumi.Input<CallerStatements>;
  /**
   * Customer-managed KMS keys the bucket's objects are encrypted with (SSE-KMS): the scanner may use
   * them for kms:Decrypt, only through S3 in the stack's region (`kms:ViaService`). The key's policy
   * must let the account's IAM policies grant its use (the default key policy does). Not needed for
   * SSE-S3 or the AWS-managed `aws/s3` key. @default []
   */
  kmsKeyArns?: pulumi.Input<pulumi.Input<string>[]>;
  /** The caller's own notification entries. @default none */
  extraNotifications?: ExtraNotifications;
  /** Retention of the scanner's logs, in days. @default 30 */
  logRetentionDays?: number;
  /**
   * AWS resource tags put on every taggable resource this component creates (buckets, functions,
   * roles, queues, log groups, rules, alarms; layer versions take none). Resource tags only: they
   * have nothing to do with the object-verdict tags the scanner writes on uploads. @default none
   */
  tags?: ResourceTags;
  /** Prefix of names AWS does not generate (the layer's). @default the component's name */
  namePrefix?: string;
  /** Where the build wrote `.build/`. @default this repository's root */
  projectRoot?: string;
}

/**
 * Protects one upload bucket: every new object (every version) is scanned by ClamAV and tagged with
 * the verdict, and the bucket policy makes the verdict binding (infected: never readable; unscanned:
 * not readable under fail-closed; verdict tags writable by the scanner only; TLS only).
 */
export class UploadScanner extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The bucket, when this component created it. */
  readonly bucket?: aws.s3.Bucket;
  readonly scanner: aws.lambda.Function;
  readonly scannerRole: aws.iam.Role;
  /** The bucket policy as written: the access rule and the caller's statements. */
  readonly policy: pulumi.Output<string>;
  readonly queue?: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: UploadScannerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ComponentTypes.UploadScanner, name, {}, withResourceTags(opts, args.tags));
    const trigger = args.trigger ?? "queue";
    const architecture: LambdaArchitecture = args.architecture ?? "arm64";
    const tags: TagSchema = args.verdictTags ?? DEFAULT_TAG_SCHEMA;
    const failClosed = args.failClosed ?? true;
    const memoryMb = args.memoryMb ?? size.DEFAULT_SCANNER_MEMORY_MB;
    const timeoutSeconds = args.timeoutSeconds ?? size.DEFAULT_SCANNER_TIMEOUT_SECONDS;
    const maxObjectBytes = args.maxObjectBytes ?? ENGINE_MAX_OBJECT_BYTES;
    const batchSize = args.batchSize ?? 1;
    const ephemeralStorageMb =
      args.ephemeralStorageMb ?? size.requiredScannerStorageMb(maxObjectBytes, batchSize);
    const maxConcurrency = args.maxConcurrency ?? 5;
    const oldestMessageAlarmSeconds = args.oldestMessageAlarmSeconds ?? 1800;
    const alarmTopicArns = args.alarmTopicArns ?? [];
    const namePrefix = args.namePrefix ?? name;
    const projectRoot = args.projectRoot ?? DEFAULT_PROJECT_ROOT;
    checkArgs(args, trigger);
    // The same ranges the stack settings are held to (core/limits.ts), by argument name.
    const official = args.definitions.officialDatabases;
    // An official-databases flag not known yet (an Output) is held to the smaller database's floor.
    checkLimit("memoryMb", memoryMb, ScannerLimits.memoryMb(official === undefined || official === true));
    checkLimit("timeoutSeconds", timeoutSeconds, ScannerLimits.timeoutSeconds);
    checkLimit("maxObjectBytes", maxObjectBytes, ScannerLimits.maxObjectBytes);
    checkLimit("batchSize", batchSize, ScannerLimits.batchSize);
    checkLimit(
      "ephemeralStorageMb",
      ephemeralStorageMb,
      ScannerLimits.ephemeralStorageMb(maxObjectBytes, batchSize, "[maxObjectBytes]"),
    );
    checkLimit("maxConcurrency", maxConcurrency, ScannerLimits.maxConcurrency);
    checkLimit(
      "oldestMessageAlarmSeconds",
      oldestMessageAlarmSeconds,
      ScannerLimits.oldestMessageAlarmSeconds,
    );
    checkLogRetention("logRetentionDays", args.logRetentionDays ?? 30);
    const child = { parent: this };

    const partition = aws.getPartitionOutput({}, child).partition;
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const region = aws.getRegionOutput({}, child).region;
    const eventBusArn: pulumi.Output<string> = args.eventBusArn
      ? pulumi.output(args.eventBusArn)
      : pulumi.all([partition, region, accountId]).apply(([p, r, a]) => defaultEventBusArn(p, r, a));
    const bucketKey = childName(name, "uploads");
    // A created bucket's name comes from invokes, not from S3's autonaming, so the policy naming it
    // (and the pack's rules reading that policy) are known during a first preview.
    const plannedName = pulumi.all([accountId, region]).apply(([account, r]) =>
      uploadBucketName(bucketKey, {
        accountId: account,
        region: r,
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
      }),
    );
    const created = args.newBucket
      ? privateBucket(
          bucketKey,
          {
            forceDestroy: args.newBucket === true ? false : (args.newBucket.forceDestroy ?? false),
            bucketName: plannedName,
          },
          this,
        )
      : undefined;
    this.bucket = created?.bucket;
    this.bucketName = created ? plannedName : pulumi.output(args.existingBucketName as pulumi.Input<string>);
    this.bucketArn = pulumi.interpolate`arn:${partition}:s3:::${this.bucketName}`;
    // What the bucket's policy and notification name: the created bucket's own output, so they depend
    // on it (and the pack links them to it through that dependency), or the existing bucket's name.
    const target = created ? created.bucket.bucket : this.bucketName;

    const queues = scanQueues(
      childName(name, "scanner"),
      { useQueue: trigger === "queue", functionTimeoutSeconds: timeoutSeconds },
      this,
    );
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    const layerArn =
      args.scannerLayerArn ??
      clamavLayer(
        childName(name, "scanner-layer"),
        { kind: "scanner", architecture, namePrefix, projectRoot },
        this,
      ).arn;
    const defs = args.definitions;
    // Named explicitly, so its ARN is built from the invokes' answers and the bucket policy (which names
    // the scanner) is known during a first preview instead of waiting for the role to be created.
    const scannerRoleName = region.apply((r) =>
      roleName(childName(name, "scanner", "role"), {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        region: r,
      }),
    );
    const scannerRoleArn = pulumi
      .all([partition, accountId, scannerRoleName])
      .apply(([p, account, role]) => roleArn(p, account, role));
    const scanner = clamavFunction(
      childName(name, "scanner"),
      {
        handler: "scanner",
        description: "bucketwarden: scans new uploads with ClamAV and tags the verdict",
        architecture,
        layers: [layerArn],
        memoryMb,
        timeoutSeconds,
        ephemeralStorageMb,
        // S3 would otherwise start one environment per new object in a burst, each loading the database.
        reservedConcurrency: trigger === "direct" ? maxConcurrency : undefined,
        environment: pulumi
          .all([defs.bucketName, defs.prefix, eventBusArn])
          .apply(([definitionsBucket, definitionsPrefix, eventBusName]) =>
            scannerEnvironment({
              definitionsBucket,
              definitionsPrefix,
              eventBusName,
              tags,
              maxObjectBytes,
              // Without memory for two engines, clamd reloads in place and scans wait meanwhile.
              concurrentReload: size.concurrentReloadFits(memoryMb),
            }),
          ),
        logRetentionDays: args.logRetentionDays ?? 30,
        projectRoot,
        roleName: scannerRoleName,
        roleArn: scannerRoleArn,
        policy: (logGroupArn) =>
          pulumi
            .output({
              definitionsBucketArn: defs.bucketArn,
              definitionsPrefix: defs.prefix,
              uploadBucketArn: this.bucketArn,
              logGroupArn,
              queueArn: queues.queue?.arn,
              // With the queue, SQS moves failed events itself; direct invocations need Lambda to send them.
              deadLetterQueueArn: trigger === "direct" ? queues.deadLetterQueue.arn : undefined,
              eventBusArn,
            })
            .apply(scannerPolicy),
      },
      this,
    );
    this.scanner = scanner.fn;
    this.scannerRole = scanner.role;
    const kmsKeyArns = args.kmsKeyArns;
    // IAM refuses a statement without resources: no keys, no grant.
    if (kmsKeyArns !== undefined && !(Array.isArray(kmsKeyArns) && kmsKeyArns.length === 0))
      new aws.iam.RolePolicy(
        autonamed(childName(name, "scanner", "kms"), "rolePolicy"),
        {
          role: scanner.role.name,
          policy: pulumi
            .all([pulumi.output(kmsKeyArns), region])
            .apply(([keys, r]) => JSON.stringify(kmsDecryptPolicy(keys, r))),
        },
        { parent: this },
      );

    this.policy = pulumi
      .all([
        this.bucketName,
        scannerRoleArn,
        args.policyStatements,
        pulumi.output(args.serverSideCopies?.fromBuckets ?? []),
        // An adopted bucket's live policy: statements in it the caller did not pass would be lost.
        created ? undefined : liveBucketPolicy(this.bucketName, this),
      ])
      .apply(([bucket, arn, callers, copyBuckets, live]) => {
        const passed = callerStatements(callers as CallerStatements);
        const unkept = unkeptStatements(live, passed);
        if (unkept.length > 0)
          throw new ConfigError(
            "policyStatements",
            unkeptStatementsRefusal(bucket, unkept, ADOPTED_POLICY_STATEMENTS),
          );
        // The role's ARN carries the partition (built from the same invoke above).
        const rule = accessRulePolicyStatements(bucket, arn, {
          verdictTags: tags,
          failClosed,
          breakGlassRoleArns: args.breakGlassRoleArns,
          replicationRoleArns: args.replicationRoleArns,
          serverSideCopies: { withinBucket: args.serverSideCopies?.withinBucket, fromBuckets: copyBuckets },
        });
        return JSON.stringify(mergePolicy(rule, passed));
      });
    // One write to the bucket's configuration at a time: its settings, lifecycle, policy, then
    // notification. S3 answers "conflicting conditional operation" to concurrent ones.
    const lifecycle = created
      ? this.lifecycle(name, created, args.newBucket as NewUploadBucketArgs | true)
      : undefined;
    const bucketPolicy = new aws.s3.BucketPolicy(
      childName(name, "policy"),
      { bucket: target, policy: this.policy },
      { parent: this, dependsOn: lifecycle ? [lifecycle] : (created?.settings ?? []) },
    );

    const triggerArgs = {
      fn: scanner.fn,
      rolePolicy: scanner.rolePolicy,
      bucketArn: this.bucketArn,
      accountId,
      waitFor: defs.ready ?? [],
    };
    const wiring: ScanTrigger = queues.queue
      ? queueTrigger(
          childName(name, "trigger"),
          { ...triggerArgs, queue: queues.queue, batchSize, maxConcurrency },
          this,
        )
      : directTrigger(
          childName(name, "trigger"),
          { ...triggerArgs, deadLetterQueue: queues.deadLetterQueue },
          this,
        );
    this.notifications(name, target, wiring, args.extraNotifications ?? {}, [bucketPolicy]);

    if (queues.queue) {
      queueAgeAlarm(
        childName(name, "backlog-alarm"),
        {
          queueName: queues.queue.name,
          maxAgeSeconds: oldestMessageAlarmSeconds,
          description: "bucketwarden: uploads wait for a scan and stay unreadable meanwhile",
          alarmTopicArns,
        },
        this,
      );
    }
    deadLetterAlarm(
      childName(name, "dead-letter-alarm"),
      {
        queueName: queues.deadLetterQueue.name,
        description: "bucketwarden: an upload could not be scanned; it stays unreadable until rescanned",
        alarmTopicArns,
      },
      this,
    );

    // An attempt is worth an operator's look even though the scanner rescans the object regardless.
    loggedValueAlarm(
      childName(name, "forgery-alarm"),
      {
        description: "bucketwarden: an upload arrived with verdict tags the scanner did not write",
        logGroupName: scanner.logGroup.name,
        field: ScannerMetrics.verdictForgeryAttempts,
        namespace: pulumi.interpolate`Bucketwarden/${scanner.fn.name}`,
        statistic: "Sum",
        period: 300,
        threshold: 1,
        alarmTopicArns,
      },
      this,
    );

    this.registerOutputs({
      bucketName: this.bucketName,
      scannerName: this.scanner.name,
      policy: this.policy,
      queueUrl: this.queue?.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
    });
  }

  /** The bucket's one notification configuration: the scanner's entry and the caller's. */
  private notifications(
    name: string,
    bucket: pulumi.Input<string>,
    wiring: ScanTrigger,
    extra: ExtraNotifications,
    after: pulumi.Resource[],
  ): void {
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
    new aws.s3.BucketNotification(
      childName(name, "notifications"),
      {
        bucket,
        queues: merge("queues", wiring.queues, extra.queues),
        lambdaFunctions: merge("lambdaFunctions", wiring.lambdaFunctions, extra.lambdaFunctions),
        topics: merge<aws.types.input.s3.BucketNotificationTopic>("topics", [], extra.topics),
        eventbridge: extra.eventbridge,
      },
      { parent: this, dependsOn: [...wiring.dependsOn, ...after, ...(extra.dependsOn ?? [])] },
    );
  }

  /** Expiry of old versions and abandoned multipart uploads in a created bucket. */
  private lifecycle(
    name: string,
    created: { bucket: aws.s3.Bucket; settings: pulumi.Resource[] },
    args: NewUploadBucketArgs | true,
  ): aws.s3.BucketLifecycleConfiguration | undefined {
    const given = args === true ? {} : args;
    const noncurrentDays = given.noncurrentVersionDays ?? UPLOAD_LIFECYCLE_DEFAULTS.noncurrentVersionDays;
    const abortDays = given.abortIncompleteUploadDays ?? UPLOAD_LIFECYCLE_DEFAULTS.abortIncompleteUploadDays;
    for (const [key, days] of [
      ["noncurrentVersionDays", noncurrentDays],
      ["abortIncompleteUploadDays", abortDays],
    ] as const)
      if (!Number.isInteger(days) || days < 0)
        throw new ConfigError(
          `newBucket.${key}`,
          `must be a whole number of days, 0 to keep forever, got ${days}`,
        );
    const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [];
    if (noncurrentDays > 0)
      rules.push({
        id: "expire-old-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays },
      });
    if (abortDays > 0)
      rules.push({
        id: "abort-incomplete-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: abortDays },
      });
    if (rules.length === 0) return undefined;
    return new aws.s3.BucketLifecycleConfiguration(
      childName(name, "uploads-lifecycle"),
      { bucket: created.bucket.id, rules },
      { parent: this, dependsOn: created.settings },
    );
  }
}

/** Where an adopted bucket's statements are passed, on both paths to this component. */
const ADOPTED_POLICY_STATEMENTS = "policyStatements (bucketwarden:bucketPolicyStatements in stack settings)";

function checkArgs(args: UploadScannerArgs, trigger: TriggerKind): void {
  if (args.existingBucketName !== undefined && args.newBucket !== undefined)
    throw new ConfigError(
      "existingBucketName",
      "Only one of [existingBucketName] and [newBucket] can be specified",
    );
  if (args.existingBucketName === undefined && args.newBucket === undefined)
    throw new ConfigError(
      "existingBucketName",
      "One of [existingBucketName] and [newBucket] must be specified",
    );
  if (args.existingBucketName !== undefined && args.adoptExistingBucket !== true)
    throw new ConfigError(
      "adoptExistingBucket",
      adoptionRefusal(
        // A name only known at deploy time (an Output) cannot be printed here.
        [
          typeof args.existingBucketName === "string"
            ? args.existingBucketName
            : "given by existingBucketName",
        ],
        COMPONENT_ADOPTION_TERMS,
      ),
    );
  if (args.newBucket !== undefined && args.adoptExistingBucket !== undefined)
    throw new ConfigError(
      "adoptExistingBucket",
      "applies only to [existingBucketName], and [newBucket] is given",
    );
  if (trigger === "direct") {
    for (const queueOnly of ["batchSize", "oldestMessageAlarmSeconds"] as const)
      if (args[queueOnly] !== undefined)
        throw new ConfigError(
          queueOnly,
          `[${queueOnly}] applies only to trigger "queue", and [trigger] is "direct"`,
        );
  }
}
