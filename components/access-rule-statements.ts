/**
 * The access rule for users who own their bucket's policy: the exact statements {@link UploadScanner}
 * writes, to merge into a policy written elsewhere.
 */
import { accessRuleStatements, type PolicyStatement, scannerRole } from "../core/access-rule";
import { DEFAULT_TAG_SCHEMA, type TagSchema } from "../core/tags";

/** The options of the access rule, as {@link UploadScannerArgs} names them, with every value known. */
export interface AccessRuleOptions {
  /**
   * The object-verdict tag schema: the tags the scanner writes on each upload and the rule reads
   * (not resource tags). @default Infected = true/false
   */
  verdictTags?: TagSchema;
  /** Deny reads of every object not yet scanned clean. @default true */
  failClosed?: boolean;
  /** Roles exempt from the read and verdict-tag denies, to release false positives. @default [] */
  breakGlassRoleArns?: readonly string[];
  /** Roles S3 replication runs as, out of this bucket or into it. @default [] (replication denied) */
  replicationRoleArns?: readonly string[];
  /**
   * Server-side copies principals other than the scanner may make into the bucket: from the bucket
   * itself, or from other buckets under this same rule. @default none (copies denied)
   */
  serverSideCopies?: { withinBucket?: boolean; fromBuckets?: readonly string[] };
  /**
   * Keep versions the adoption marker tagged `Infected=pending` readable until their verdict (an
   * adopted bucket with `preExistingObjects: "readable-until-scanned"`). @default false
   */
  preExistingReadable?: boolean;
}

/**
 * The access rule's bucket-policy statements for one upload bucket: the same statements
 * {@link UploadScanner} writes for the same inputs (it calls this). For users who write the bucket's
 * policy themselves: add these to it, unchanged, beside their own statements. The ARN partition is
 * read from the role's ARN.
 *
 * @param bucketName The upload bucket's name.
 * @param scannerRoleArn The ARN of the role the scanner function runs as.
 * @example
 * ```ts
 * const policy = pulumi.all([bucket.bucket, scannerRoleArn]).apply(([name, arn]) =>
 *   JSON.stringify({ Version: "2012-10-17", Statement: [...mine, ...accessRulePolicyStatements(name, arn)] }),
 * );
 * ```
 */
export function accessRulePolicyStatements(
  bucketName: string,
  scannerRoleArn: string,
  options: AccessRuleOptions = {},
): PolicyStatement[] {
  const partition = /^arn:([a-z-]+):/.exec(scannerRoleArn)?.[1] ?? "aws";
  return accessRuleStatements({
    bucket: bucketName,
    tags: options.verdictTags ?? DEFAULT_TAG_SCHEMA,
    failClosed: options.failClosed ?? true,
    preExistingReadable: options.preExistingReadable,
    partition,
    scanner: scannerRole(scannerRoleArn),
    breakGlass: options.breakGlassRoleArns,
    replicationRoles: options.replicationRoleArns,
    copySources: [
      ...(options.serverSideCopies?.withinBucket ? [bucketName] : []),
      ...(options.serverSideCopies?.fromBuckets ?? []),
    ],
  });
}
