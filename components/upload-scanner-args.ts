/**
 * The arguments of {@link UploadScanner}, beside it rather than in it so the component file holds the
 * wiring only. Re-exported from upload-scanner.ts and index.ts.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CallerStatements } from "../core/iam";
import type { LambdaArchitecture } from "../core/layer-layout";
import type { PreExistingObjectMode } from "../core/rescan-window";
import type { TriggerKind } from "../core/settings";
import type { TagSchema } from "../core/tags";
import type { DefinitionsRef } from "./definitions-store";
import type { ResourceTags } from "./resource-tags";

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

/**
 * What the scanner does with an object in which a signature matched, besides tagging it infected
 * (which already makes it unreadable). Each action is recorded in the object's `Object Scanned`
 * event (`actions`). Limits-exceeded and unscannable objects are blocked but never acted on.
 */
export interface InfectedObjectsArgs {
  /**
   * Copy each infected version, bytes and verdict tags, to a quarantine bucket this component creates
   * (private, versioned, encrypted, TLS only, under the access rule: no one but the scanner and the
   * `breakGlassRoleArns` can read it). @default false
   */
  quarantine?: boolean;
  /**
   * Delete each infected version from the upload bucket, after the quarantine copy when that is on;
   * a failed copy means no delete. Only versions are deleted: in an unversioned bucket the key is kept.
   * Needs `quarantine` or `acknowledgeDeleteWithoutQuarantine`. @default false
   */
  delete?: boolean;
  /** Accept `delete` without `quarantine`: the infected bytes are then gone for good. @default false */
  acknowledgeDeleteWithoutQuarantine?: boolean;
  /** Let `pulumi destroy` delete the quarantine bucket while it holds copies. @default false */
  forceDestroyQuarantine?: boolean;
}

/** Which server-side copies into an upload bucket principals other than the scanner may make. */
export interface ServerSideCopies {
  /** Copies within the bucket itself, which renaming an object needs. @default false */
  withinBucket?: boolean;
  /** Other protected upload buckets copies may come from. @default [] */
  fromBuckets?: pulumi.Input<string>[];
}

/**
 * What differs from one upload bucket to the next: how the bucket is had (created, or adopted by
 * name), and what is kept beside the scanner's own policy statements and notification entry.
 */
export interface UploadBucketArgs {
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
  /**
   * What adopting `existingBucketName` does to the objects already in it, until the backlog scan
   * (BacklogScanning, `npx bucketwarden scan-existing`) gives each a verdict. `"readable-until-scanned"`:
   * before the policy is written, the scanner marks every version without a verdict
   * `Infected=pending` (an `aws.lambda.Invocation` of its `mark-pre-existing` entry), and the policy
   * keeps marked versions readable; new uploads stay unreadable until scanned, and a verdict forged
   * before adoption is replaced by the mark. `"strict"`: no mark, unverified verdict tags are removed,
   * and every object without a verdict is unreadable at once. Only with `adoptExistingBucket`.
   * @default "readable-until-scanned"
   */
  preExistingObjects?: PreExistingObjectMode;
  /** Create the upload bucket (private, versioned, encrypted). Give this or `existingBucketName`, not both. @default none */
  newBucket?: NewUploadBucketArgs | true;
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
  /** How upload events reach this bucket's scanner; wins over the shared `trigger`. @default "queue" */
  trigger?: TriggerKind;
}

/**
 * How a scanner scans, alarms and is tagged, in plain values: the part of {@link ScannerArgs} that
 * reads the same in every language (the plugin package's schema takes it as it is).
 */
export interface ScannerOptions {
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
  serverSideCopies?: ServerSideCopies;
  /**
   * The EventBridge bus that gets an event per verdict (`Object Scanned`, `Object Scan Failed`; schema
   * in handlers/README.md). The scanner may put events on this bus only. @default the account's
   * default bus in the stack's region
   */
  eventBusArn?: pulumi.Input<string>;
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
  /**
   * Built-in actions on infected objects: quarantine copy and/or delete. The scanner also counts
   * `MalwareDetected`, which an alarm to `alarmTopicArns` watches either way. @default none
   */
  infectedObjects?: InfectedObjectsArgs;
  /** SNS topics told about backlogs, dead letters and malware found. @default [] */
  alarmTopicArns?: pulumi.Input<string[]>;
  /** Retention of the scanner's logs, in days. @default 30 */
  logRetentionDays?: number;
  /**
   * AWS resource tags put on every taggable resource this component creates (buckets, functions,
   * roles, queues, log groups, rules, alarms; layer versions take none). Resource tags only: they
   * have nothing to do with the object-verdict tags the scanner writes on uploads. @default none
   */
  tags?: ResourceTags;
}

/**
 * How a scanner scans, alarms and tags: the settings every upload bucket's scanner shares under
 * `MalwareScanning` (its `scanner` argument), and the rest of an {@link UploadScanner}'s arguments.
 */
export interface ScannerArgs extends ScannerOptions {
  /** `"queue"`: S3 → SQS (with a dead-letter queue) → Lambda. `"direct"`: S3 invokes Lambda, as in the seed. @default "queue" */
  trigger?: TriggerKind;
  /**
   * The object-verdict tag schema: the tags the scanner writes on each upload (`Infected=true|false`...)
   * and the bucket policy reads. Not resource tags (see `tags`). @default Infected = true/false
   */
  verdictTags?: TagSchema;
}

/** The arguments of {@link UploadScanner}: one bucket, its scanner, and the definitions it reads. */
export interface UploadScannerArgs extends UploadBucketArgs, ScannerArgs {
  /** The definitions the scanner reads: a {@link DefinitionsStore}, shared by every scanner. */
  definitions: DefinitionsRef;
  /** Architecture of the function; must match the layer's. @default "arm64" */
  architecture?: LambdaArchitecture;
  /** A scanner layer to share (see `MalwareScanning`). @default a layer of its own from `.build/layers` */
  scannerLayerArn?: pulumi.Input<string>;
  /** Prefix of names AWS does not generate (the layer's). @default the component's name */
  namePrefix?: string;
}
