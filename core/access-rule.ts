/**
 * The access rule: the upload bucket's policy statements that make the scanner's verdict binding.
 * Used by the component (AWS), local mode and the store tests, and recognised by the policy pack.
 */
import { PolicyConflictError } from "./errors";
import { scannerTagKeys, type TagSchema } from "./tags";

/** One IAM policy statement, as JSON. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS: string | string[] } | { Service: string | string[] };
  NotPrincipal?: { AWS: string | string[] };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** A bucket policy document, as JSON. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * How policies recognise the scanner. On AWS the scanner is a role: `aws:PrincipalArn` with the role's
 * ARN. A store that does not evaluate `aws:PrincipalArn` (Ceph RGW) names users by `aws:username`.
 */
export interface ScannerPrincipal {
  /** The condition key that identifies the caller, e.g. `aws:PrincipalArn` or `aws:username`. */
  readonly conditionKey: string;
  /** The values of that key that belong to the scanner. */
  readonly values: readonly string[];
}

/** The scanner as a role on AWS. */
export function scannerRole(roleArn: string): ScannerPrincipal {
  return { conditionKey: "aws:PrincipalArn", values: [roleArn] };
}

/** The scanner as a user on a store that identifies callers by user name. */
export function scannerUser(userName: string): ScannerPrincipal {
  return { conditionKey: "aws:username", values: [userName] };
}

export interface AccessRuleArgs {
  /** The upload bucket's name. */
  bucket: string;
  /** The verdict tags. */
  tags: TagSchema;
  /** Who may read everything and write the verdict tags. */
  scanner: ScannerPrincipal;
  /** Deny reads of every object that does not carry the clean verdict. @default true */
  failClosed?: boolean;
  /** Deny requests not made over TLS. @default true */
  tlsOnly?: boolean;
  /** ARN partition. @default "aws" */
  partition?: string;
}

/** The read actions the rule guards. Both, or a versioned bucket leaks infected versions by id. */
export const READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"] as const;

/** The tag-writing actions only the scanner may use. */
export const TAG_WRITE_ACTIONS = [
  "s3:PutObjectTagging",
  "s3:PutObjectVersionTagging",
  "s3:DeleteObjectTagging",
  "s3:DeleteObjectVersionTagging",
] as const;

/** Statement ids of the rule, so the policy pack and tests can find each part. */
export const AccessRuleSids = {
  denyInfected: "BucketwardenDenyInfectedReads",
  denyUnscanned: "BucketwardenDenyUnscannedReads",
  denyUntagged: "BucketwardenDenyUntaggedReads",
  denyTagWrites: "BucketwardenDenyVerdictTagWrites",
  denyTaggedUploadPrefix: "BucketwardenDenyUploadsTagged",
  tlsOnly: "BucketwardenDenyInsecureTransport",
} as const;

/** The condition key that reads an existing object tag. */
export function existingTagKey(key: string): string {
  return `s3:ExistingObjectTag/${key}`;
}

/** The condition key that reads a tag in the request. */
export function requestTagKey(key: string): string {
  return `s3:RequestObjectTag/${key}`;
}

/** The statement id of the upload deny for one scanner-owned tag key (Sids allow only [A-Za-z0-9]). */
export function taggedUploadSid(tagKey: string): string {
  return AccessRuleSids.denyTaggedUploadPrefix + Buffer.from(tagKey, "utf8").toString("hex");
}

/**
 * The upload bucket's policy statements:
 * - deny reads of objects tagged infected to all but the scanner (the seed's rule);
 * - fail-closed: deny reads of objects whose verdict is missing or not clean. Two statements,
 *   because a negated operator does not match a missing tag on every store;
 * - tamper-proof verdicts: deny tag writes to all but the scanner, and deny uploads that carry any
 *   scanner-owned tag key (one statement per key: keys inside one condition are ANDed);
 * - TLS only.
 */
export function accessRuleStatements(args: AccessRuleArgs): PolicyStatement[] {
  const { bucket, tags, scanner } = args;
  const failClosed = args.failClosed ?? true;
  const tlsOnly = args.tlsOnly ?? true;
  const partition = args.partition ?? "aws";
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const objects = `${bucketArn}/*`;
  const notScanner = { StringNotEquals: { [scanner.conditionKey]: [...scanner.values] } };

  const statements: PolicyStatement[] = [
    {
      Sid: AccessRuleSids.denyInfected,
      Effect: "Deny",
      Principal: "*",
      Action: [...READ_ACTIONS],
      Resource: objects,
      Condition: { StringEquals: { [existingTagKey(tags.key)]: tags.infectedValue }, ...notScanner },
    },
  ];
  if (failClosed) {
    statements.push(
      {
        Sid: AccessRuleSids.denyUnscanned,
        Effect: "Deny",
        Principal: "*",
        Action: [...READ_ACTIONS],
        Resource: objects,
        Condition: {
          StringNotEquals: { [existingTagKey(tags.key)]: tags.cleanValue, ...notScanner.StringNotEquals },
        },
      },
      {
        Sid: AccessRuleSids.denyUntagged,
        Effect: "Deny",
        Principal: "*",
        Action: [...READ_ACTIONS],
        Resource: objects,
        Condition: { Null: { [existingTagKey(tags.key)]: "true" }, ...notScanner },
      },
    );
  }
  statements.push({
    Sid: AccessRuleSids.denyTagWrites,
    Effect: "Deny",
    Principal: "*",
    Action: [...TAG_WRITE_ACTIONS],
    Resource: objects,
    Condition: notScanner,
  });
  for (const key of scannerTagKeys(tags)) {
    statements.push({
      Sid: taggedUploadSid(key),
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: objects,
      Condition: { StringLike: { [requestTagKey(key)]: "*" } },
    });
  }
  if (tlsOnly) statements.push(tlsOnlyStatement(bucketArn));
  return statements;
}

/** Deny every request to the bucket and its objects that is not made over TLS. */
export function tlsOnlyStatement(bucketArn: string): PolicyStatement {
  return {
    Sid: AccessRuleSids.tlsOnly,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** What the scanner does to objects: read them (any version) and read and write their tags. */
export const SCANNER_OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:GetObjectTagging",
  "s3:GetObjectVersionTagging",
  "s3:PutObjectTagging",
  "s3:PutObjectVersionTagging",
] as const;

/**
 * An explicit grant of {@link SCANNER_OBJECT_ACTIONS} to the scanner. Needed on stores where an
 * object belongs to its uploader (Ceph RGW, or S3 buckets without `BucketOwnerEnforced`), since the
 * bucket owner's own credentials cannot read such objects; on AWS the scanner role's IAM policy does this.
 */
export function scannerGrantStatement(
  bucket: string,
  principalArns: readonly string[],
  partition = "aws",
): PolicyStatement {
  return {
    Sid: "BucketwardenAllowScanner",
    Effect: "Allow",
    Principal: { AWS: [...principalArns] },
    Action: [...SCANNER_OBJECT_ACTIONS],
    Resource: `arn:${partition}:s3:::${bucket}/*`,
  };
}

/**
 * One bucket policy from the rule and the caller's own statements (a bucket has exactly one policy:
 * the caller's statements are kept, never clobbered). Conflicting `Sid`s are an error.
 */
export function mergePolicy(
  ours: readonly PolicyStatement[],
  callers: readonly PolicyStatement[] | PolicyDocument | undefined,
): PolicyDocument {
  const theirs =
    callers === undefined ? [] : Array.isArray(callers) ? callers : (callers as PolicyDocument).Statement;
  const seen = new Set<string>();
  for (const s of [...ours, ...theirs]) {
    if (s.Sid === undefined) continue;
    if (seen.has(s.Sid)) throw new PolicyConflictError(s.Sid);
    seen.add(s.Sid);
  }
  return { Version: "2012-10-17", Statement: [...theirs, ...ours] };
}
