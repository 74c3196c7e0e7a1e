/**
 * The pure rules of an upload bucket's arguments: which combinations {@link UploadScanner} accepts,
 * and the lifecycle rules a created bucket gets. No Pulumi here, so the checks read the arguments'
 * shapes only.
 */
import { adoptionRefusal, COMPONENT_ADOPTION_TERMS } from "./adoption";
import { ConfigError } from "./errors";
import type { TriggerKind } from "./settings";

/** Lifecycle defaults of a created upload bucket. */
export const UPLOAD_LIFECYCLE_DEFAULTS = { noncurrentVersionDays: 30, abortIncompleteUploadDays: 7 } as const;

/** Where an adopted bucket's statements are passed, on both paths to the component. */
export const ADOPTED_POLICY_STATEMENTS =
  "policyStatements (bucketwarden:bucketPolicyStatements in stack settings)";

/** The arguments {@link checkUploadScannerArgs} reads: how the bucket is had, and the queue-only ones. */
export interface UploadBucketChoice {
  /** A name, or a deploy-time value (anything but a string) that cannot be printed. */
  existingBucketName?: unknown;
  adoptExistingBucket?: boolean;
  newBucket?: unknown;
  batchSize?: number;
  oldestMessageAlarmSeconds?: number;
}

/**
 * Rejects conflicting or missing arguments at once, naming them: exactly one of an existing bucket
 * (adopted knowingly) and a new one, and no queue-only argument with trigger "direct".
 */
export function checkUploadScannerArgs(args: UploadBucketChoice, trigger: TriggerKind): void {
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

/** The lifecycle days of a created upload bucket, as `newBucket` gives them. */
export interface UploadLifecycleDays {
  noncurrentVersionDays?: number;
  abortIncompleteUploadDays?: number;
}

/** One S3 lifecycle rule, as the bucket's lifecycle configuration takes it. */
export interface UploadLifecycleRule {
  id: string;
  status: "Enabled";
  filter: Record<string, never>;
  noncurrentVersionExpiration?: { noncurrentDays: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
}

/**
 * Expiry of old versions and abandoned multipart uploads, defaults filled in; a 0 leaves its rule
 * out, so both 0 gives no rules at all.
 */
export function uploadLifecycleRules(given: UploadLifecycleDays): UploadLifecycleRule[] {
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
  const rules: UploadLifecycleRule[] = [];
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
  return rules;
}
