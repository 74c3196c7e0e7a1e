/**
 * IAM documents of the pipeline as pure functions of ARNs: the functions' roles (least privilege:
 * named buckets, prefixes, queues and log groups, never `*`), the queue policy that lets S3 deliver
 * events, and the caller's own bucket-policy statements in any form they come in.
 */
import { type PolicyDocument, type PolicyStatement, SCANNER_OBJECT_ACTIONS } from "./access-rule";
import { BucketwardenError } from "./errors";

/** A role's trust policy: who may assume it. */
export interface TrustPolicyDocument {
  Version: "2012-10-17";
  Statement: Array<{
    Effect: "Allow";
    Principal: { Service: string };
    Action: "sts:AssumeRole";
    /** Whose requests the service may assume the role for (confused-deputy protection). */
    Condition?: Record<string, Record<string, string>>;
  }>;
}

/** The trust policy of a Lambda function's execution role. */
export function lambdaTrustPolicy(): TrustPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  };
}

function document(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Writing to the function's own log group. The only place a role could be tempted to use `*`
 * (Lambda's managed policy does); scoping it to the one group costs nothing.
 */
export function logWriteStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn.replace(/:\*$/, "")}:*`,
  };
}

/** Listing only under `prefix`, so a missing key reads as 404 (not 403) and nothing else is listed. */
function listPrefixStatement(sid: string, bucketArn: string, prefix: string): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: bucketArn,
    Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
  };
}

export interface UpdaterPolicyArgs {
  definitionsBucketArn: string;
  /** Key prefix of the database, e.g. `clamav/`. */
  definitionsPrefix: string;
  logGroupArn: string;
  /** The bus the updater sends `Definitions Updated` to (core/definitions-event). */
  eventBusArn?: string;
}

/**
 * The updater's role: read the previous database (and freshclam's state), write the new one and its
 * manifest, all under the prefix of its own bucket, and delete definition files and manifest history
 * no kept manifest lists (handlers/updater/prune). It never deletes the manifest, state or stamp key.
 */
export function updaterPolicy(args: UpdaterPolicyArgs): PolicyDocument {
  const { definitionsBucketArn: bucket, definitionsPrefix: prefix } = args;
  return document([
    listPrefixStatement("ListDefinitions", bucket, prefix),
    {
      Sid: "ReadWriteDefinitions",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: `${bucket}/${prefix}*`,
    },
    {
      Sid: "PruneOldDefinitions",
      Effect: "Allow",
      Action: "s3:DeleteObject",
      Resource: [`${bucket}/${prefix}files/*`, `${bucket}/${prefix}history/*`],
    },
    // That bus only, like the scanner's verdict events.
    ...(args.eventBusArn
      ? [
          {
            Sid: "PublishDefinitionsEvents",
            Effect: "Allow" as const,
            Action: "events:PutEvents",
            Resource: args.eventBusArn,
          },
        ]
      : []),
    logWriteStatement(args.logGroupArn),
  ]);
}

export interface ScannerPolicyArgs {
  definitionsBucketArn: string;
  definitionsPrefix: string;
  uploadBucketArn: string;
  logGroupArn: string;
  /** The queue the scanner consumes, when events arrive through SQS. */
  queueArn?: string;
  /** Where Lambda puts events it gave up on, when S3 invokes the scanner directly. */
  deadLetterQueueArn?: string;
  /** The EventBridge bus the scanner publishes verdict events to (core/verdict-event). */
  eventBusArn?: string;
  /** The quarantine bucket infected versions are copied to (core/infected-actions), when on. */
  quarantineBucketArn?: string;
  /** Whether the scanner deletes infected versions from the upload bucket. @default false */
  deleteInfected?: boolean;
}

/**
 * The scanner's role: read the definitions, read every version of the upload bucket's objects and
 * read and write their tags, list the upload bucket (so a deleted object reads as gone, not as
 * forbidden), consume its queue or feed its dead-letter queue, and write its logs.
 */
export function scannerPolicy(args: ScannerPolicyArgs): PolicyDocument {
  const statements: PolicyStatement[] = [
    listPrefixStatement("ListDefinitions", args.definitionsBucketArn, args.definitionsPrefix),
    {
      Sid: "ReadDefinitions",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${args.definitionsBucketArn}/${args.definitionsPrefix}*`,
    },
    // Versions: the adoption marker (handlers/scanner/marker.ts) lists every version of the bucket.
    {
      Sid: "ListUploads",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:ListBucketVersions"],
      Resource: args.uploadBucketArn,
    },
    {
      Sid: "ScanAndTagUploads",
      Effect: "Allow",
      Action: [...SCANNER_OBJECT_ACTIONS],
      Resource: `${args.uploadBucketArn}/*`,
    },
  ];
  if (args.quarantineBucketArn !== undefined) {
    // Write only: a copy that keeps its source's tags (TaggingDirective COPY; S3 may authorize the
    // tags as a tag write). The scanner never needs to read, list or delete there.
    statements.push({
      Sid: "QuarantineInfected",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:PutObjectTagging"],
      Resource: `${args.quarantineBucketArn}/*`,
    });
  }
  if (args.deleteInfected) {
    // A version by its id only: deleting a key of an unversioned bucket (s3:DeleteObject) could take
    // content newer than what was scanned, so the scanner never does it.
    statements.push({
      Sid: "DeleteInfectedVersions",
      Effect: "Allow",
      Action: "s3:DeleteObjectVersion",
      Resource: `${args.uploadBucketArn}/*`,
    });
  }
  if (args.queueArn !== undefined) {
    statements.push({
      Sid: "ConsumeUploadEvents",
      Effect: "Allow",
      Action: [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
      ],
      Resource: args.queueArn,
    });
  }
  if (args.deadLetterQueueArn !== undefined) {
    statements.push({
      Sid: "DeadLetterFailedEvents",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: args.deadLetterQueueArn,
    });
  }
  if (args.eventBusArn !== undefined) {
    // That bus only: the role cannot put events on another bus, whose rules may trust its source.
    statements.push({
      Sid: "PublishVerdictEvents",
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: args.eventBusArn,
    });
  }
  statements.push(logWriteStatement(args.logGroupArn));
  return document(statements);
}

/**
 * The scanner's use of the customer-managed KMS keys its upload bucket encrypts with: GetObject of an
 * SSE-KMS object makes S3 call kms:Decrypt as the scanner. Only through S3 in the bucket's region
 * (`kms:ViaService`): the role cannot use the keys directly or through any other service. A document
 * of its own, built from values known before anything is created, so the policy pack reads it during
 * a first preview.
 */
export function kmsDecryptPolicy(kmsKeyArns: readonly string[], region: string): PolicyDocument {
  return document([
    {
      Sid: "DecryptUploadsThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [...kmsKeyArns],
      Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
    },
  ]);
}

/**
 * The trust policy of the role S3 Batch Operations jobs run as: only the Batch Operations service
 * principal, and only for jobs of `accountId` (`aws:SourceAccount`), so no other account's job can be
 * made to run as this role. The principal is from S3 User Guide, "Granting permissions for Batch
 * Operations" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html);
 * the condition follows IAM User Guide, "The confused deputy problem"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function batchOperationsTrustPolicy(accountId: string): TrustPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "batchoperations.s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

export interface BacklogJobPolicyArgs {
  /** The scanner functions the jobs invoke (unqualified ARNs). */
  scannerFunctionArns: readonly string[];
  /** The upload buckets whose objects the jobs list into a generated manifest. */
  uploadBucketArns: readonly string[];
  /** The bucket holding manifests and completion reports. */
  reportBucketArn: string;
  /** Key prefix of the manifests, given (CSV) or generated, e.g. `manifests/`. */
  manifestPrefix: string;
  /** Key prefix of the completion reports, e.g. `reports/`. */
  reportPrefix: string;
}

/**
 * What an S3 Batch Operations job that scans a backlog needs, and nothing more (S3 User Guide,
 * "Granting permissions for Batch Operations",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html: "regardless
 * of the operation, Amazon S3 needs permissions to read your manifest object ... and optionally write
 * a report"; `s3:GetObjectVersion` only when the manifest is addressed by version):
 * - invoke the scanner functions, the job's "Invoke AWS Lambda function" operation
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html);
 * - read manifests and write generated ones under the manifest prefix (`ManifestOutputLocation` of an
 *   `S3JobManifestGenerator`,
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_S3JobManifestGenerator.html);
 * - write completion reports under the report prefix;
 * - list the upload buckets, current objects and versions, to generate a manifest.
 * It never reads an upload's body: the scanner does that under its own role.
 */
export function backlogJobPolicy(args: BacklogJobPolicyArgs): PolicyDocument {
  const { reportBucketArn: bucket, manifestPrefix, reportPrefix } = args;
  if (args.scannerFunctionArns.length === 0 || args.uploadBucketArns.length === 0)
    throw new BucketwardenError("a backlog job needs at least one scanner function and one upload bucket");
  return document([
    {
      Sid: "InvokeScanners",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: [...args.scannerFunctionArns],
    },
    {
      Sid: "ReadManifests",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: `${bucket}/${manifestPrefix}*`,
    },
    {
      Sid: "WriteGeneratedManifestsAndReports",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: [`${bucket}/${manifestPrefix}*`, `${bucket}/${reportPrefix}*`],
    },
    // AWS's example policies grant it with the report and manifest permissions; on the bucket, where
    // IAM evaluates it, it reveals only the region.
    { Sid: "LocateReportBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: bucket },
    // A generated manifest (S3JobManifestGenerator): AWS's example policy for jobs with an S3-generated
    // manifest ("Configuring an IAM role for S3 Batch Replication", S3 User Guide) grants
    // s3:PutInventoryConfiguration on the source bucket; the listing permissions are kept beside it.
    {
      Sid: "ListUploadsForManifests",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:ListBucketVersions", "s3:PutInventoryConfiguration"],
      Resource: [...args.uploadBucketArns],
    },
  ]);
}

/**
 * The adoption function's role (handlers/adoption): read, write and delete one adopted bucket's policy
 * and notification configuration, and keep its captured pre-adoption configuration in one object.
 */
export function adoptionPolicy(args: {
  bucketArn: string;
  stateObjectArn: string;
  logGroupArn: string;
}): PolicyDocument {
  return document([
    {
      Sid: "CaptureAndRestoreBucketConfiguration",
      Effect: "Allow",
      Action: [
        "s3:GetBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:GetBucketNotification",
        "s3:PutBucketNotification",
      ],
      Resource: args.bucketArn,
    },
    {
      Sid: "KeepCapturedConfiguration",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: args.stateObjectArn,
    },
    logWriteStatement(args.logGroupArn),
  ]);
}

/** The rescan starter's one grant on `*`, which CreateJob requires. */
export const RESCAN_CREATE_JOB_SID = "CreateRescanJobs";

/** The Batch Operations service principal a job role is passed to. */
export const BATCH_OPERATIONS_SERVICE = "batchoperations.s3.amazonaws.com";

/**
 * The rescan starter's role (BacklogScanning): create Batch Operations jobs (CreateJob names no
 * resource type in the Service Authorization Reference, so `*`), pass the one job role, only to Batch
 * Operations, and write its own logs. Nothing else: the jobs read and scan through that role.
 */
export function rescanStarterPolicy(args: { jobRoleArn: string; logGroupArn: string }): PolicyDocument {
  return document([
    // CreateJob has no resource type (Service Authorization Reference), so `*`; the condition narrows
    // it to jobs that invoke a Lambda function, the only operation a rescan uses.
    {
      Sid: RESCAN_CREATE_JOB_SID,
      Effect: "Allow",
      Action: "s3:CreateJob",
      Resource: "*",
      Condition: { StringEquals: { "s3:RequestJobOperation": "LambdaInvoke" } },
    },
    {
      Sid: "PassTheJobRole",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: args.jobRoleArn,
      Condition: { StringEquals: { "iam:PassedToService": BATCH_OPERATIONS_SERVICE } },
    },
    logWriteStatement(args.logGroupArn),
  ]);
}

export interface EventQueuePolicyArgs {
  queueArn: string;
  /** The one bucket whose events the queue accepts. */
  bucketArn: string;
  /** The account that owns the bucket: bucket names are global, so the ARN alone could be someone else's. */
  accountId: string;
}

/** Lets S3 deliver the upload bucket's events to the queue, and only that bucket's, and only over TLS. */
export function eventQueuePolicy(args: EventQueuePolicyArgs): PolicyDocument {
  return document([
    {
      Sid: "AllowUploadBucketEvents",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: args.queueArn,
      Condition: {
        ArnEquals: { "aws:SourceArn": args.bucketArn },
        StringEquals: { "aws:SourceAccount": args.accountId },
      },
    },
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sqs:*",
      Resource: args.queueArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ]);
}

/** Statements a caller may hand over: a list, a whole document, or the document as JSON. */
export type CallerStatements = readonly PolicyStatement[] | PolicyDocument | string | undefined;

/** The caller's statements as a list, whatever form they came in. */
export function callerStatements(input: CallerStatements): PolicyStatement[] {
  if (input === undefined) return [];
  let parsed: unknown = input;
  if (typeof input === "string") {
    try {
      parsed = JSON.parse(input);
    } catch (cause) {
      throw new BucketwardenError("the caller's bucket policy is not JSON", { cause });
    }
  }
  if (Array.isArray(parsed)) return [...parsed];
  const statement = (parsed as { Statement?: unknown }).Statement;
  if (statement === undefined) return [];
  return Array.isArray(statement) ? statement : [statement as PolicyStatement];
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * The grants in `doc` that use a wildcard action (`*`, `service:*`) or resource (`*`), as readable
 * strings; empty when there are none. Deny statements are not grants and are not reported.
 */
export function wildcardGrants(doc: PolicyDocument): string[] {
  const found: string[] = [];
  for (const [i, s] of doc.Statement.entries()) {
    if (s.Effect !== "Allow") continue;
    const name = s.Sid ?? `statement ${i}`;
    for (const a of asList(s.Action)) if (a === "*" || a.endsWith(":*")) found.push(`${name}: action ${a}`);
    for (const r of asList(s.Resource)) if (r === "*") found.push(`${name}: resource *`);
  }
  return found;
}
