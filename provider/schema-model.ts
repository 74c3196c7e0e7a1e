/**
 * The components as other languages see them: declarations only, read by @pulumi/pulumi's schema
 * analyzer (`npm run schema`), never run. The analyzer takes interfaces of plain, `Input` and
 * `Output` values, string maps, arrays and `@pulumi/*` resources; the TypeScript API's unions
 * (`aws.s3.Bucket | string`, `newBucket: true`), its literal types and its component-typed
 * properties are beyond it, so these declarations say the same arguments in that subset. Interfaces
 * the analyzer reads as they are (`ScannerOptions`, `DefinitionsSettings`, `NewUploadBucketArgs`)
 * are inherited, documentation and all; the rest is said again here in the analyzer's terms. provider/construct.ts turns these inputs into the TypeScript
 * arguments, and tests/provider/schema.test.ts holds the two together.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { DefinitionsLocation, DefinitionsSettings } from "../components/definitions-store";
import type { NewUploadBucketArgs, ScannerOptions } from "../components/upload-scanner-args";

/** How the component creates an upload bucket of its own (private, versioned, encrypted). */
export interface NewUploadBucket extends NewUploadBucketArgs {}

/** One upload bucket of `uploadBuckets`: created (`newBucket`) or adopted by name (`existingBucketName`). */
export interface UploadBucket {
  /** An existing bucket to protect, by name. Give this or `newBucket`, not both; it needs `adoptExistingBucket`. */
  existingBucketName?: pulumi.Input<string>;
  /**
   * Accept that adopting `existingBucketName` replaces the bucket's one policy (statements not passed
   * in `policyStatements` are lost) and its one notification configuration. Without it the component
   * refuses an existing bucket and says what it would replace. @default false
   */
  adoptExistingBucket?: boolean;
  /**
   * What adopting does to the objects already in the bucket until the backlog scan gives each a
   * verdict: "readable-until-scanned" (marked `Infected=pending`, readable until scanned; new uploads
   * stay unreadable until scanned) or "strict" (unreadable at once). @default "readable-until-scanned"
   */
  preExistingObjects?: string;
  /** Create the upload bucket (private, versioned, encrypted); `{}` takes every default. Give this or `existingBucketName`, not both. */
  newBucket?: NewUploadBucket;
  /** How upload events reach this bucket's scanner: "queue" (S3 → SQS → Lambda) or "direct" (S3 invokes Lambda). @default "queue" */
  trigger?: string;
  /**
   * The caller's own bucket-policy statements, kept beside the access rule: a list of IAM policy
   * statements, or a policy document. A bucket has one policy and this component writes it.
   * @default []
   */
  // biome-ignore lint/suspicious/noExplicitAny: a policy statement is free-form JSON; the schema's Any.
  policyStatements?: pulumi.Input<any>;
  /** Customer-managed KMS keys the bucket's objects are encrypted with (SSE-KMS): the scanner may decrypt with them through S3. @default [] */
  kmsKeyArns?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The object-verdict tag schema: the S3 object tags the scanner writes on each upload (not resource tags). Unset fields keep their defaults. */
export interface VerdictTags {
  /** Key of the verdict tag. @default "Infected" */
  key?: string;
  /** Verdict value for an object the engine flagged (or could not fully scan). @default "true" */
  infectedValue?: string;
  /** Verdict value for an object scanned clean: the only value that makes an object readable. @default "false" */
  cleanValue?: string;
  /** Key of the tag that says what the scan found (status and signature). @default "ScanResult" */
  resultKey?: string;
  /** Key of the tag that records which definitions scanned which content. @default "ScanStamp" */
  stampKey?: string;
  /** Verdict value marking an adopted bucket's object as waiting for its backlog scan. @default "pending" */
  pendingValue?: string;
}

/** Settings every scanner shares. */
export interface Scanner extends ScannerOptions {
  /** How upload events reach the scanners: "queue" (S3 → SQS with a dead-letter queue → Lambda) or "direct" (S3 invokes Lambda). @default "queue" */
  trigger?: string;
  /** The object-verdict tag schema (`Infected=true|false`...), read by the bucket policy. Not resource tags. @default Infected = true/false */
  verdictTags?: VerdictTags;
}

/** The shared definitions store's settings. */
export interface Definitions extends DefinitionsSettings {}

export interface MalwareScanningArgs {
  /**
   * Upload buckets of this program to protect (`aws.s3.Bucket` resources). The component writes each
   * one's policy and notification configuration: declare none of your own for them. @default []
   */
  buckets?: aws.s3.Bucket[];
  /** Names of existing buckets to protect; they need `adoptExistingBuckets`. @default [] */
  bucketNames?: string[];
  /** Upload buckets with settings of their own, by a short key that names their resources. @default {} */
  uploadBuckets?: Record<string, UploadBucket>;
  /** Architecture of every function and layer: "arm64" or "x86_64". @default "arm64" */
  architecture?: string;
  /** The shared definitions store's settings. @default DefinitionsStore's defaults */
  definitions?: Definitions;
  /** Settings every scanner shares. @default UploadScanner's defaults */
  scanner?: Scanner;
  /** Accept that protecting `bucketNames` replaces each bucket's policy and notification configuration. @default false */
  adoptExistingBuckets?: boolean;
  /** AWS resource tags on everything the component creates (not the verdict tags). @default none */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The EventBridge bus that gets a verdict event per scan. @default the account's default bus */
  eventBusArn?: pulumi.Input<string>;
  /** Prefix of names AWS does not generate (layers): include the stack to keep stacks apart. @default the component's name */
  namePrefix?: string;
  /** Create what S3 Batch Operations jobs need to scan existing objects (a job role and a report bucket). @default true */
  backlogScanning?: boolean;
  /**
   * When new definitions add signatures, rescan objects created within this window (a duration such
   * as "24h" or "7d"); "0" turns rescans off. @default "24h"
   */
  rescanWindow?: string;
}

/**
 * The whole pipeline: one ClamAV definitions store, and a scanner for each upload bucket that tags
 * every new object with its verdict and makes the bucket policy deny reads of anything not scanned
 * clean.
 */
export declare class MalwareScanning extends pulumi.ComponentResource {
  /** Name of the private bucket holding the ClamAV database. */
  readonly definitionsBucketName: pulumi.Output<string>;
  /** Name of the function that refreshes the database. */
  readonly updaterFunctionName: pulumi.Output<string>;
  /** Each upload bucket's name, by key. */
  readonly uploadBucketNames: pulumi.Output<Record<string, string>>;
  /** Each upload bucket's scanner function name, by key. */
  readonly scannerFunctionNames: pulumi.Output<Record<string, string>>;
  /** Each upload bucket's policy as written (the access rule and the caller's statements), by key. */
  readonly uploadBucketPolicies: pulumi.Output<Record<string, string>>;
  constructor(name: string, args: MalwareScanningArgs, opts?: pulumi.ComponentResourceOptions);
}

export interface DefinitionsStoreArgs extends DefinitionsSettings {
  /** Architecture of the updater and its layer: "arm64" or "x86_64". @default "arm64" */
  architecture?: string;
  /** Prefix of names AWS does not generate (the layer's). @default the component's name */
  namePrefix?: string;
}

/**
 * A private bucket of ClamAV signatures kept current by a scheduled updater (freshclam in a layer).
 * One store serves the scanners of any number of upload buckets.
 */
export declare class DefinitionsStore extends pulumi.ComponentResource {
  /** Name of the bucket holding the database and its manifest. */
  readonly bucketName: pulumi.Output<string>;
  /** ARN of that bucket. */
  readonly bucketArn: pulumi.Output<string>;
  /** Key prefix of the database inside the bucket, ending in `/`. */
  readonly prefix: pulumi.Output<string>;
  /** Name of the function that refreshes the database. */
  readonly updaterFunctionName: pulumi.Output<string>;
  /** What the update at creation reported (`published`, `cool-down`...), or "skipped" without one. */
  readonly initialUpdateStatus: pulumi.Output<string>;
  constructor(name: string, args: DefinitionsStoreArgs, opts?: pulumi.ComponentResourceOptions);
}

/** The definitions a scanner reads: a DefinitionsStore's `bucketName`, `bucketArn` and `prefix`. */

export interface UploadScannerArgs extends UploadBucket, Scanner {
  /** The definitions the scanner reads: a DefinitionsStore's outputs, shared by every scanner. */
  definitions: DefinitionsSource;
  /** Architecture of the function: "arm64" or "x86_64"; must match the layer's. @default "arm64" */
  architecture?: string;
  /** A scanner layer to share between scanners. @default a layer of its own */
  scannerLayerArn?: pulumi.Input<string>;
  /** Prefix of names AWS does not generate (the layer's). @default the component's name */
  namePrefix?: string;
}

/** Where a scanner's definitions are: a DefinitionsStore's `bucketName`, `bucketArn` and `prefix`. */
export interface DefinitionsSource extends DefinitionsLocation {}

/**
 * Protects one upload bucket: every new object (every version) is scanned by ClamAV and tagged with
 * the verdict, and the bucket policy makes the verdict binding (infected: never readable; unscanned:
 * not readable under fail-closed; verdict tags writable by the scanner only; TLS only).
 */
export declare class UploadScanner extends pulumi.ComponentResource {
  /** Name of the protected bucket. */
  readonly bucketName: pulumi.Output<string>;
  /** ARN of the protected bucket. */
  readonly bucketArn: pulumi.Output<string>;
  /** Name of the scanner function. */
  readonly scannerFunctionName: pulumi.Output<string>;
  /** The bucket policy as written: the access rule and the caller's statements. */
  readonly policy: pulumi.Output<string>;
  /** URL of the queue of upload events (trigger "queue"). */
  readonly queueUrl?: pulumi.Output<string>;
  /** URL of the queue uploads that could not be scanned end up in. */
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  constructor(name: string, args: UploadScannerArgs, opts?: pulumi.ComponentResourceOptions);
}
