import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { adoptionStateKey } from "../core/adoption";
import { ConfigError } from "../core/errors";
import { ENGINE_MAX_OBJECT_BYTES, scannerEnvironment } from "../core/handler-config";
import { adoptionPolicy, kmsDecryptPolicy, scannerPolicy } from "../core/iam";
import { checkInfectedActions } from "../core/infected-actions";
import type { LambdaArchitecture } from "../core/layer-layout";
import { checkLimit, checkLogRetention, ScannerLimits } from "../core/limits";
import { MARK_PRE_EXISTING } from "../core/marker";
import { ScannerMetrics } from "../core/metrics";
import { autonamed, childName, roleArn, roleName } from "../core/naming";
import { DEFAULT_PRE_EXISTING_OBJECTS, PreExistingObjectModes } from "../core/rescan-window";
import * as size from "../core/sizing";
import { DEFAULT_TAG_SCHEMA, type TagSchema } from "../core/tags";
import { checkUploadScannerArgs } from "../core/upload-bucket";
import { defaultEventBusArn } from "../core/verdict-event";
import { deadLetterAlarm, loggedValueAlarm, queueAgeAlarm } from "./alarms";
import { clamavFunction } from "./lambda-function";
import { clamavLayer } from "./layer";
import { QuarantineBucket } from "./quarantine-bucket";
import { withResourceTags } from "./resource-tags";
import { directTrigger, queueTrigger, type ScanTrigger, scanQueues } from "./scanner-trigger";
import { ComponentTypes } from "./types";
import {
  uploadBucket,
  uploadBucketPolicy,
  uploadLifecycle,
  uploadNotifications,
  uploadPolicyDocument,
} from "./upload-bucket";
import type { NewUploadBucketArgs, UploadScannerArgs } from "./upload-scanner-args";

export { UPLOAD_LIFECYCLE_DEFAULTS } from "../core/upload-bucket";
export type {
  ExtraNotifications,
  InfectedObjectsArgs,
  NewUploadBucketArgs,
  UploadScannerArgs,
} from "./upload-scanner-args";

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
  /** The quarantine bucket's name, when `infectedObjects.quarantine` is on. */
  readonly quarantineBucketName?: pulumi.Output<string>;
  /** The quarantine bucket, when `infectedObjects.quarantine` is on. */
  readonly quarantineBucket?: aws.s3.Bucket;
  /**
   * An adopted bucket's marker run (`preExistingObjects`): the scanner's `mark-pre-existing` entry,
   * invoked once after the notifications and before the policy. Its `result` is the marker's report.
   */
  readonly preExistingMarker?: aws.lambda.Invocation;
  /**
   * An adopted bucket's adoption run (lifecycleScope CRUD): captures the pre-adoption policy and
   * notification configuration before anything is written, and puts them back on destroy.
   */
  readonly adoption?: aws.lambda.Invocation;

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
    checkUploadScannerArgs(args, trigger);
    const adopted = args.existingBucketName !== undefined;
    if (args.preExistingObjects !== undefined) {
      if (!adopted)
        throw new ConfigError(
          "preExistingObjects",
          "applies only to [existingBucketName]: a bucket this component creates holds nothing before it",
        );
      if (!(PreExistingObjectModes as readonly string[]).includes(args.preExistingObjects))
        throw new ConfigError(
          "preExistingObjects",
          `must be one of ${PreExistingObjectModes.map((m) => `"${m}"`).join(", ")}, got "${args.preExistingObjects}"`,
        );
    }
    const preExistingObjects = args.preExistingObjects ?? DEFAULT_PRE_EXISTING_OBJECTS;
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
    const infected = args.infectedObjects ?? {};
    checkInfectedActions(
      {
        quarantine: infected.quarantine ?? false,
        delete: infected.delete ?? false,
        acknowledge: infected.acknowledgeDeleteWithoutQuarantine ?? false,
      },
      {
        quarantine: "infectedObjects.quarantine",
        delete: "infectedObjects.delete",
        acknowledge: "infectedObjects.acknowledgeDeleteWithoutQuarantine",
      },
    );
    const child = { parent: this };

    const partition = aws.getPartitionOutput({}, child).partition;
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const region = aws.getRegionOutput({}, child).region;
    const eventBusArn: pulumi.Output<string> = args.eventBusArn
      ? pulumi.output(args.eventBusArn)
      : pulumi.all([partition, region, accountId]).apply(([p, r, a]) => defaultEventBusArn(p, r, a));
    const { created, plannedName } = uploadBucket(
      childName(name, "uploads"),
      { newBucket: args.newBucket, accountId, region },
      this,
    );
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
        { kind: "scanner", architecture, namePrefix, stagingBucket: args.definitions.bucketName },
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
    const quarantine = infected.quarantine
      ? new QuarantineBucket(
          childName(name, "quarantine"),
          {
            scannerRoleArn,
            verdictTags: tags,
            breakGlassRoleArns: args.breakGlassRoleArns ?? [],
            forceDestroy: infected.forceDestroyQuarantine ?? false,
            accountId,
            region,
          },
          child,
        )
      : undefined;
    this.quarantineBucket = quarantine?.bucket;
    this.quarantineBucketName = quarantine?.bucketName;
    const deleteInfected = infected.delete ?? false;
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
          .all([defs.bucketName, defs.prefix, eventBusArn, quarantine?.bucketName])
          .apply(([definitionsBucket, definitionsPrefix, eventBusName, quarantineBucketName]) =>
            scannerEnvironment({
              definitionsBucket,
              definitionsPrefix,
              eventBusName,
              quarantineBucket: quarantineBucketName,
              deleteInfected,
              deleteWithoutQuarantine: infected.acknowledgeDeleteWithoutQuarantine ?? false,
              tags,
              maxObjectBytes,
              // Without memory for two engines, clamd reloads in place and scans wait meanwhile.
              concurrentReload: size.concurrentReloadFits(memoryMb),
            }),
          ),
        logRetentionDays: args.logRetentionDays ?? 30,
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
              quarantineBucketArn: quarantine?.bucketArn,
              deleteInfected,
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

    this.policy = uploadPolicyDocument(
      {
        bucketName: this.bucketName,
        scannerRoleArn,
        verdictTags: tags,
        failClosed,
        created: created !== undefined,
        preExistingReadable: adopted && preExistingObjects === "readable-until-scanned",
        args,
      },
      this,
    );
    // One write to the bucket's configuration at a time: its settings, lifecycle, policy, then
    // notification. S3 answers "conflicting conditional operation" to concurrent ones.
    const lifecycle = created
      ? uploadLifecycle(name, created, args.newBucket as NewUploadBucketArgs | true, this)
      : undefined;
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
    if (created) {
      const bucketPolicy = uploadBucketPolicy(
        name,
        { bucket: target, policy: this.policy, lifecycle, created },
        this,
      );
      uploadNotifications(
        name,
        { bucket: target, wiring, extra: args.extraNotifications ?? {}, after: [bucketPolicy] },
        this,
      );
    } else {
      // Adoption, in the design's order: the bucket's configuration is captured (and refused if live
      // notification entries would be lost), new uploads are scanned (notifications), the versions
      // already there are marked, then the rule applies; the backlog scan follows. On destroy the
      // policy and notifications go first (they depend on the capture), then the capture restores.
      this.adoption = adoptionInvocation(
        name,
        {
          bucket: this.bucketName,
          bucketArn: this.bucketArn,
          definitions: defs,
          extra: args.extraNotifications ?? {},
          architecture,
          logRetentionDays: args.logRetentionDays ?? 30,
        },
        this,
      );
      const notifications = uploadNotifications(
        name,
        { bucket: target, wiring, extra: args.extraNotifications ?? {}, after: [this.adoption] },
        this,
      );
      this.preExistingMarker = new aws.lambda.Invocation(
        childName(name, "mark-pre-existing"),
        {
          functionName: scanner.fn.name,
          // CREATE_ONLY (the default): marked once, at adoption; a changed mode or bucket marks again.
          input: pulumi
            .output(this.bucketName)
            .apply((bucket) =>
              JSON.stringify({ bucketwarden: MARK_PRE_EXISTING, bucket, mode: preExistingObjects }),
            ),
        },
        // The stamp key (written by the first definitions update) verifies verdicts and stamps marks.
        { parent: this, dependsOn: [notifications, scanner.rolePolicy, ...(defs.ready ?? [])] },
      );
      uploadBucketPolicy(
        name,
        { bucket: target, policy: this.policy, after: [this.preExistingMarker] },
        this,
      );
    }

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

    // Alarms on values the scanner logs, counted from its own log group in its own namespace.
    const scannerAlarm = (suffix: string, field: string, description: string, period: number) =>
      loggedValueAlarm(
        childName(name, suffix),
        {
          description,
          logGroupName: scanner.logGroup.name,
          field,
          namespace: pulumi.interpolate`Bucketwarden/${scanner.fn.name}`,
          statistic: "Sum",
          period,
          threshold: 1,
          alarmTopicArns,
        },
        this,
      );
    // An attempt is worth an operator's look even though the scanner rescans the object regardless.
    scannerAlarm(
      "forgery-alarm",
      ScannerMetrics.verdictForgeryAttempts,
      "bucketwarden: an upload arrived with verdict tags the scanner did not write",
      300,
    );
    // Malware found is what the whole pipeline exists to notice: tell someone within the minute.
    scannerAlarm(
      "malware-alarm",
      ScannerMetrics.malwareDetected,
      "bucketwarden: an upload matched a malware signature; it is tagged infected and unreadable",
      60,
    );
    if (quarantine || deleteInfected)
      scannerAlarm(
        "infected-actions-alarm",
        ScannerMetrics.infectedActionFailures,
        "bucketwarden: a quarantine copy or delete of an infected upload failed; it stays in place, unreadable",
        300,
      );

    this.registerOutputs({
      quarantineBucketName: this.quarantineBucketName,
      bucketName: this.bucketName,
      scannerName: this.scanner.name,
      policy: this.policy,
      queueUrl: this.queue?.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
    });
  }
}

/**
 * The adoption function of an adopted bucket and its CRUD invocation (handlers/adoption). The input
 * names the bucket, where the capture is kept (the definitions bucket, `<prefix>adoption/<bucket>.json`)
 * and the destinations the caller keeps; Pulumi adds `tf.action` (create, update, delete).
 */
function adoptionInvocation(
  name: string,
  args: {
    bucket: pulumi.Output<string>;
    bucketArn: pulumi.Output<string>;
    definitions: UploadScannerArgs["definitions"];
    extra: NonNullable<UploadScannerArgs["extraNotifications"]>;
    architecture: LambdaArchitecture;
    logRetentionDays: number;
  },
  parent: pulumi.Resource,
): aws.lambda.Invocation {
  const defs = args.definitions;
  const stateObjectArn = pulumi
    .all([defs.bucketArn, defs.prefix, args.bucket])
    .apply(([arn, prefix, bucket]) => `${arn}/${adoptionStateKey(prefix, bucket)}`);
  const fn = clamavFunction(
    childName(name, "adoption"),
    {
      handler: "adoption",
      description: "bucketwarden: captures an adopted bucket's configuration and restores it on destroy",
      architecture: args.architecture,
      layers: [],
      memoryMb: 256,
      timeoutSeconds: 60,
      ephemeralStorageMb: 512,
      environment: {},
      logRetentionDays: args.logRetentionDays,
      policy: (logGroupArn) =>
        pulumi
          .all([args.bucketArn, stateObjectArn, logGroupArn])
          .apply(([bucketArn, state, logs]) =>
            adoptionPolicy({ bucketArn, stateObjectArn: state, logGroupArn: logs }),
          ),
    },
    parent,
  );
  const arns = <T>(list: pulumi.Input<pulumi.Input<T>[]> | undefined, field: keyof T) =>
    pulumi.output(list ?? []).apply((entries) => (entries as T[]).map((e) => String(e[field])));
  const input = pulumi
    .all([
      args.bucket,
      defs.bucketName,
      defs.prefix,
      arns<aws.types.input.s3.BucketNotificationQueue>(args.extra.queues, "queueArn"),
      arns<aws.types.input.s3.BucketNotificationTopic>(args.extra.topics, "topicArn"),
      arns<aws.types.input.s3.BucketNotificationLambdaFunction>(
        args.extra.lambdaFunctions,
        "lambdaFunctionArn",
      ),
      pulumi.output(args.extra.eventbridge ?? false),
    ])
    .apply(([bucket, stateBucket, prefix, queueArns, topicArns, lambdaFunctionArns, eventbridge]) =>
      JSON.stringify({
        bucketwarden: "adopt-bucket",
        bucket,
        state: { bucket: stateBucket, key: adoptionStateKey(prefix, bucket) },
        kept: { queueArns, topicArns, lambdaFunctionArns, eventbridge },
      }),
    );
  return new aws.lambda.Invocation(
    childName(name, "adoption"),
    { functionName: fn.fn.name, input, lifecycleScope: "CRUD" },
    { parent, dependsOn: [fn.rolePolicy, ...(defs.ready ?? [])] },
  );
}
