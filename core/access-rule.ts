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
  /**
   * Let objects tagged with the pending mark (`tags.pendingValue`) be read under fail-closed: the
   * scanner's marker writes it only on versions an adopted bucket held before adoption, so they stay
   * readable until the backlog scan replaces the mark with a verdict. The untagged deny and the infected
   * deny are unchanged, so a new upload stays unreadable until scanned. No one but the scanner can
   * write the mark (the verdict-key denies cover every value). @default false
   */
  preExistingReadable?: boolean;
  /** Deny requests not made over TLS. @default true */
  tlsOnly?: boolean;
  /** ARN partition. @default "aws" */
  partition?: string;
  /**
   * Break-glass principals, as values of the scanner's condition key (role ARNs on AWS): exempt, like
   * the scanner, from the read denies and the verdict-tag denies, so an operator can read an object the
   * engine flagged and release a false positive by tagging it clean. Every such request is an S3 data
   * event in CloudTrail under that role's session. @default [] (no one but the scanner)
   */
  breakGlass?: readonly string[];
  /**
   * Principals that S3 replication runs as (values of the scanner's condition key, role ARNs on AWS),
   * out of this bucket or into it. S3 offers no tag condition for replication reads or writes, so these
   * principals replicate every object, scanned or not, and may write objects and tags here; everyone
   * else is denied replication. A destination bucket must carry the same rule, naming the source's
   * replication role. @default [] (replication denied to everyone)
   */
  replicationRoles?: readonly string[];
  /**
   * Buckets from which principals other than the scanner may server-side copy into this one
   * (CopyObject, UploadPartCopy). A copy keeps the source's tags (tagging directive COPY, the default)
   * and S3 has no condition key on the tagging directive, so name only buckets under this same rule:
   * there an unscanned or infected source cannot be read, hence not copied, and a clean source's
   * verdict describes the very bytes copied. The scanner still rescans each copy on its
   * `ObjectCreated:Copy` event. @default [] (copies denied to everyone but the scanner)
   */
  copySources?: readonly string[];
  /**
   * Where the policy is enforced. `"ceph-rgw"` (local mode's store) evaluates no request-tag condition
   * on tag writes and knows no replication actions (it rejects a policy that names one).
   * @default "aws" when the scanner is identified by `aws:PrincipalArn`, "ceph-rgw" otherwise
   */
  store?: PolicyStore;
  /**
   * Let principals other than the scanner write tag sets without verdict keys (on AWS a tagged upload
   * is also authorized as `s3:PutObjectTagging`, so denying every tag write refuses every tagged upload).
   * When false, every tag write by anyone but the scanner is denied: what a store that does not
   * evaluate request-tag conditions on tag writes needs. @default true on "aws", false on "ceph-rgw"
   */
  userTagEdits?: boolean;
}

/** The S3 implementations the rule is written for. */
export type PolicyStore = "aws" | "ceph-rgw";

/** The read actions the rule guards by the object's verdict. Both, or a versioned bucket leaks infected versions by id. */
export const READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"] as const;

/**
 * Reads of an object's bytes for which S3 evaluates no object-tag condition (the Service Authorization
 * Reference lists no `s3:ExistingObjectTag` key for them), so the rule denies them outright.
 */
export const TORRENT_ACTIONS = ["s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"] as const;

/** The replication read; like the torrent reads, it has no object-tag condition key. */
export const REPLICATION_READ_ACTION = "s3:GetObjectVersionForReplication";

/**
 * What S3 replication writes into a destination bucket: objects with their tags, and later tag changes.
 * No request-tag condition applies, so a replication role allowed to write here could bring any verdict.
 */
export const REPLICATION_WRITE_ACTIONS = ["s3:ReplicateObject", "s3:ReplicateTags"] as const;

/** The actions that change an object's tag set. */
export const TAG_WRITE_ACTIONS = [
  "s3:PutObjectTagging",
  "s3:PutObjectVersionTagging",
  "s3:DeleteObjectTagging",
  "s3:DeleteObjectVersionTagging",
] as const;

/** The actions whose request carries a tag set: uploads (PutObject, POST, CreateMultipartUpload, copies) and tag writes. */
export const TAGGED_REQUEST_ACTIONS = [
  "s3:PutObject",
  "s3:PutObjectTagging",
  "s3:PutObjectVersionTagging",
] as const;

/** The condition key present on CopyObject and UploadPartCopy (both authorized as `s3:PutObject`). */
export const COPY_SOURCE_KEY = "s3:x-amz-copy-source";

/** The condition key listing the tag keys of a request. */
export const REQUEST_TAG_KEYS_KEY = "s3:RequestObjectTagKeys";

/** Statement ids of the rule, so the policy pack and tests can find each part. */
export const AccessRuleSids = {
  denyInfected: "BucketwardenDenyInfectedReads",
  denyUnscanned: "BucketwardenDenyUnscannedReads",
  denyUntagged: "BucketwardenDenyUntaggedReads",
  denyTorrent: "BucketwardenDenyTorrentReads",
  denyReplication: "BucketwardenDenyReplication",
  denyCopies: "BucketwardenDenyServerSideCopies",
  denyVerdictKeys: "BucketwardenDenyVerdictKeysInRequests",
  denyInfectedTagChanges: "BucketwardenDenyInfectedVerdictChanges",
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
 * The `s3:x-amz-copy-source` patterns of a bucket's objects. The header is `bucket/key` or
 * `/bucket/key` (URL-encoded, perhaps with `?versionId=`); a source named through an access point
 * ARN matches neither and stays denied.
 */
export function copySourcePatterns(bucket: string): string[] {
  return [`${bucket}/*`, `/${bucket}/*`];
}

/**
 * The upload bucket's policy statements, all `Deny` to `*` (a `Deny` beats every `Allow`, an ACL, a
 * presigned URL, the account root):
 * - reads: objects tagged infected are unreadable to all but the scanner (and break-glass); with
 *   fail-closed, so is every object whose verdict is missing or not clean (two statements, because a
 *   negated operator does not match a missing tag on every store); with `preExistingReadable`, the
 *   pending mark is exempt from the "not clean" deny as well (never from the untagged one); torrent reads are denied outright
 *   and replication (reads out, objects and tags in; on AWS) to all but the named replication roles,
 *   since S3 gives those no tag condition;
 * - server-side copies into the bucket: denied to all but the scanner, except from `copySources`;
 * - verdict tags: a request whose tag set carries a scanner key in any letter case is denied (uploads
 *   and tag writes; one `StringLike` statement per key as well, for stores without
 *   `s3:RequestObjectTagKeys`); the tags of an object tagged infected cannot be changed or deleted, so
 *   an infected verdict is never stripped; a user's tag edit on a clean object drops the clean verdict
 *   (its tag set has no verdict key), which leaves the object unreadable under fail-closed until
 *   rescanned. Where `userTagEdits` is off, every tag write by anyone else is denied instead;
 * - TLS only.
 */
export function accessRuleStatements(args: AccessRuleArgs): PolicyStatement[] {
  const { bucket, tags, scanner } = args;
  const failClosed = args.failClosed ?? true;
  const tlsOnly = args.tlsOnly ?? true;
  const partition = args.partition ?? "aws";
  const store = args.store ?? (scanner.conditionKey === scannerRole("").conditionKey ? "aws" : "ceph-rgw");
  const userTagEdits = args.userTagEdits ?? store === "aws";
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const objects = `${bucketArn}/*`;
  const unless = (values: readonly string[]) => ({
    StringNotEquals: { [scanner.conditionKey]: [...new Set(values)] },
  });
  const notScanner = unless(scanner.values);
  const notTrusted = unless([...scanner.values, ...(args.breakGlass ?? [])]);
  const deny = (Sid: string, Action: string | string[], Condition?: PolicyStatement["Condition"]) =>
    ({
      Sid,
      Effect: "Deny",
      Principal: "*",
      Action,
      Resource: objects,
      ...(Condition && { Condition }),
    }) as PolicyStatement;
  const verdict = existingTagKey(tags.key);

  const statements: PolicyStatement[] = [
    deny(AccessRuleSids.denyInfected, [...READ_ACTIONS], {
      StringEquals: { [verdict]: tags.infectedValue },
      ...notTrusted,
    }),
  ];
  if (failClosed) {
    statements.push(
      deny(AccessRuleSids.denyUnscanned, [...READ_ACTIONS], {
        StringNotEquals: { [verdict]: tags.cleanValue, ...notTrusted.StringNotEquals },
        // A second operator, not a list of values under StringNotEquals: Ceph RGW reads a negated
        // operator's list as "differs from any", which denies the mark too. Tag values hold no * or ?,
        // so the pattern is the value itself.
        ...(args.preExistingReadable && { StringNotLike: { [verdict]: tags.pendingValue } }),
      }),
      deny(AccessRuleSids.denyUntagged, [...READ_ACTIONS], { Null: { [verdict]: "true" }, ...notTrusted }),
    );
  }
  const replicationRoles = args.replicationRoles ?? [];
  const copySources = args.copySources ?? [];
  statements.push(deny(AccessRuleSids.denyTorrent, [...TORRENT_ACTIONS]));
  if (store === "aws")
    statements.push(
      deny(
        AccessRuleSids.denyReplication,
        [REPLICATION_READ_ACTION, ...REPLICATION_WRITE_ACTIONS],
        replicationRoles.length > 0 ? unless(replicationRoles) : undefined,
      ),
    );
  statements.push(
    deny(AccessRuleSids.denyCopies, "s3:PutObject", {
      StringLike: { [COPY_SOURCE_KEY]: "*" },
      ...(copySources.length > 0 && {
        StringNotLike: { [COPY_SOURCE_KEY]: copySources.flatMap(copySourcePatterns) },
      }),
      ...notScanner,
    }),
    deny(AccessRuleSids.denyVerdictKeys, [...TAGGED_REQUEST_ACTIONS], {
      "ForAnyValue:StringEqualsIgnoreCase": { [REQUEST_TAG_KEYS_KEY]: scannerTagKeys(tags) },
      ...notTrusted,
    }),
  );
  for (const key of scannerTagKeys(tags)) {
    statements.push(
      deny(taggedUploadSid(key), "s3:PutObject", { StringLike: { [requestTagKey(key)]: "*" } }),
    );
  }
  statements.push(
    deny(AccessRuleSids.denyInfectedTagChanges, [...TAG_WRITE_ACTIONS], {
      StringEquals: { [verdict]: tags.infectedValue },
      ...notTrusted,
    }),
  );
  if (!userTagEdits) statements.push(deny(AccessRuleSids.denyTagWrites, [...TAG_WRITE_ACTIONS], notTrusted));
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
