/**
 * The pipeline's buckets on the local store, protected as the component protects them on AWS: the
 * core's access rule on the upload bucket, with the scanner exempted by `aws:username` (the store
 * does not evaluate `aws:PrincipalArn`) and granted explicitly (objects belong to their uploader on
 * this store). The scanner's role grants from core/iam become bucket-policy grants to its user, since
 * the store has no roles.
 */
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  accessRuleStatements,
  mergePolicy,
  type PolicyDocument,
  type PolicyStatement,
  scannerGrantStatement,
  scannerUser,
} from "../core/access-rule";
import { parseInfectedActions, parseScannerConfig, scannerEnvironment } from "../core/handler-config";
import { scannerPolicy } from "../core/iam";
import { type InfectedActionsConfig, quarantineRuleStatements } from "../core/infected-actions";
import { childName, fitName } from "../core/naming";
import { DEFAULT_TAG_SCHEMA } from "../core/tags";
import type { LocalSettings } from "./settings";
import type { StoreInfo } from "./store/index";

/** The ARN the store gives a user in policy principals. */
export function userArn(uid: string): string {
  return `arn:aws:iam:::user/${uid}`;
}

export interface PipelineBuckets {
  uploadBucket: string;
  definitionsBucket: string;
  /** A bucket of the runner's own, whose notifications prove the topic delivers. */
  probeBucket: string;
  /** Prefix of the database in the definitions bucket, as the handlers are configured. */
  definitionsPrefix: string;
  scannerUid: string;
  uploaderUid: string;
  /**
   * The scanner's actions on infected objects, from the runner's `BW_QUARANTINE_BUCKET`,
   * `BW_DELETE_INFECTED` and `BW_DELETE_WITHOUT_QUARANTINE` (core/handler-config). @default none
   */
  actions?: InfectedActionsConfig;
}

/** The buckets of the pipeline configured by `settings` on `store` (and the actions `env` asks for). */
export function pipelineBuckets(
  settings: LocalSettings,
  store: StoreInfo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): PipelineBuckets {
  return {
    actions: parseInfectedActions(env),
    uploadBucket: settings.uploadBucket,
    definitionsBucket: settings.definitionsBucket,
    probeBucket: fitName(childName(settings.uploadBucket, "probe"), 63),
    // The handlers' own default, read back through core's parser rather than repeated here.
    definitionsPrefix: parseScannerConfig(
      scannerEnvironment({ definitionsBucket: settings.definitionsBucket }),
    ).definitionsPrefix,
    scannerUid: store.users.scanner.uid,
    uploaderUid: store.users.uploader.uid,
  };
}

/** The statements of an IAM role policy that concern `bucket`, granted to `principal` instead. */
export function roleGrantsOn(doc: PolicyDocument, bucket: string, principal: string): PolicyStatement[] {
  const arn = `arn:aws:s3:::${bucket}`;
  const inBucket = (r: string) => r === arn || r.startsWith(`${arn}/`);
  return doc.Statement.filter((s) => [s.Resource].flat().every(inBucket)).map((s) => ({
    ...s,
    Principal: { AWS: [principal] },
  }));
}

/** The upload bucket's policy: the access rule, the scanner's grants, and the ordinary user's rights. */
export function uploadBucketPolicy(b: PipelineBuckets): PolicyDocument {
  const scanner = userArn(b.scannerUid);
  const rule = accessRuleStatements({
    bucket: b.uploadBucket,
    tags: DEFAULT_TAG_SCHEMA,
    scanner: scannerUser(b.scannerUid),
    // The store listens on plain HTTP on loopback only.
    tlsOnly: false,
  });
  // What the application grants its users on AWS; the access rule's denials apply on top.
  const uploader: PolicyStatement = {
    Sid: "LocalUploaderUsesUploads",
    Effect: "Allow",
    Principal: { AWS: [userArn(b.uploaderUid)] },
    Action: [
      "s3:PutObject",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTagging",
      "s3:GetObjectVersionTagging",
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ],
    Resource: `arn:aws:s3:::${b.uploadBucket}/*`,
  };
  const uploaderList: PolicyStatement = {
    Sid: "LocalUploaderListsUploads",
    Effect: "Allow",
    Principal: { AWS: [userArn(b.uploaderUid)] },
    Action: ["s3:ListBucket", "s3:ListBucketVersions"],
    Resource: `arn:aws:s3:::${b.uploadBucket}`,
  };
  // The role's object grant is the access rule's scanner grant; the listing (and, when on, the
  // delete of infected versions) come from the role.
  const roleList = roleGrantsOn(scannerRolePolicy(b), b.uploadBucket, scanner).filter(
    (s) => !String(s.Resource).endsWith("/*") || s.Sid === "DeleteInfectedVersions",
  );
  return mergePolicy(
    [...rule, scannerGrantStatement(b.uploadBucket, [scanner])],
    [uploader, uploaderList, ...roleList],
  );
}

/**
 * The statements bucketwarden puts on a bucket it adopts (`bucketwarden protect --local`): the
 * scanner's object grant and listing, and (once the marker has run, `rule`) the access rule, whose
 * "unscanned" deny exempts the pending mark unless the adoption is strict. The caller merges them
 * with the statements the bucket already had.
 */
export function adoptedBucketStatements(
  b: PipelineBuckets,
  bucket: string,
  o: { rule: boolean; preExistingReadable: boolean },
): PolicyStatement[] {
  const scanner = userArn(b.scannerUid);
  const role = scannerPolicy({
    definitionsBucketArn: `arn:aws:s3:::${b.definitionsBucket}`,
    definitionsPrefix: b.definitionsPrefix,
    uploadBucketArn: `arn:aws:s3:::${bucket}`,
    logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/bucketwarden-scanner",
  });
  // The marker lists every version of the bucket (core/iam grants it once the adoption change is in).
  const list = roleGrantsOn(role, bucket, scanner)
    .filter((s) => !String(s.Resource).endsWith("/*"))
    .map((s) => ({ ...s, Action: [...new Set([s.Action, "s3:ListBucketVersions"].flat())] }));
  const grants = [scannerGrantStatement(bucket, [scanner]), ...list];
  if (!o.rule) return grants;
  const rule = accessRuleStatements({
    bucket,
    tags: DEFAULT_TAG_SCHEMA,
    scanner: scannerUser(b.scannerUid),
    tlsOnly: false,
    preExistingReadable: o.preExistingReadable,
  });
  return [...rule, ...grants];
}

/** The definitions bucket's policy: the scanner reads the database under its prefix. */
export function definitionsBucketPolicy(b: PipelineBuckets): PolicyDocument {
  return mergePolicy(roleGrantsOn(scannerRolePolicy(b), b.definitionsBucket, userArn(b.scannerUid)), []);
}

/**
 * The quarantine bucket's policy, as the component writes it: the quarantine rule (core/infected-actions)
 * and the scanner role's writes there, granted to its user.
 */
export function quarantineBucketPolicy(b: PipelineBuckets, bucket: string): PolicyDocument {
  const rule = quarantineRuleStatements({
    bucket,
    tags: DEFAULT_TAG_SCHEMA,
    scanner: scannerUser(b.scannerUid),
    tlsOnly: false,
  });
  return mergePolicy(rule, roleGrantsOn(scannerRolePolicy(b), bucket, userArn(b.scannerUid)));
}

function scannerRolePolicy(b: PipelineBuckets): PolicyDocument {
  return scannerPolicy({
    quarantineBucketArn: b.actions?.quarantineBucket && `arn:aws:s3:::${b.actions.quarantineBucket}`,
    deleteInfected: b.actions?.deleteInfected,
    definitionsBucketArn: `arn:aws:s3:::${b.definitionsBucket}`,
    definitionsPrefix: b.definitionsPrefix,
    uploadBucketArn: `arn:aws:s3:::${b.uploadBucket}`,
    logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/bucketwarden-scanner",
  });
}

async function createBucket(owner: S3Client, bucket: string): Promise<void> {
  try {
    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if (!(e instanceof BucketAlreadyOwnedByYou)) throw e;
  }
}

/** Creates the buckets (idempotent) and applies their policies, as the bucket owner. */
export async function prepareBuckets(owner: S3Client, b: PipelineBuckets): Promise<void> {
  for (const bucket of [b.uploadBucket, b.definitionsBucket, b.probeBucket])
    await createBucket(owner, bucket);
  await owner.send(
    new PutBucketVersioningCommand({
      Bucket: b.uploadBucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  await owner.send(
    new PutBucketPolicyCommand({ Bucket: b.uploadBucket, Policy: JSON.stringify(uploadBucketPolicy(b)) }),
  );
  await owner.send(
    new PutBucketPolicyCommand({
      Bucket: b.definitionsBucket,
      Policy: JSON.stringify(definitionsBucketPolicy(b)),
    }),
  );
  const quarantine = b.actions?.quarantineBucket;
  if (quarantine !== undefined) {
    await createBucket(owner, quarantine);
    await owner.send(
      new PutBucketVersioningCommand({ Bucket: quarantine, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await owner.send(
      new PutBucketPolicyCommand({
        Bucket: quarantine,
        Policy: JSON.stringify(quarantineBucketPolicy(b, quarantine)),
      }),
    );
  }
}
