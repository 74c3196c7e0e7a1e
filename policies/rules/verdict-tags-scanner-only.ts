import type { StackValidationPolicy } from "@pulumi/policy";
import { REPLICATION_WRITE_ACTIONS, TAG_WRITE_ACTIONS } from "../../core/access-rule";
import { scannerTagKeys, type TagSchema } from "../../core/tags";
import type { RequiredDenial } from "../lib/bucket-policy";
import { denyRuleConfigSchema } from "../lib/config";
import { type DenyRuleArgs, validateDenyRule } from "../lib/deny-rule";

export interface VerdictTagsScannerOnlyArgs extends DenyRuleArgs {}

const NAME = "verdict-tags-scanner-only";

/** A source no bucket policy names as a trusted copy source. */
const FOREIGN_COPY_SOURCE = "another-account-bucket-bucketwarden-probe/planted.bin";

/**
 * Without this an uploader walks past the deny rule: upload with `Infected=false` (in any letter case),
 * write it with PutObjectTagging, strip `Infected=true` by deleting or replacing the tag set, or copy an
 * object in from a bucket of its own, whose tags travel with the copy. So the policy must deny, to all
 * but the scanner: uploads and tag writes whose tag set carries a scanner key, in any letter case; tag
 * writes and deletes on objects tagged infected; server-side copies from buckets it does not name; and
 * replication writes (objects and tags) by roles it does not name.
 * Tag writes with the user's own keys may pass (on AWS a tagged upload is also a tag write). Core writes
 * these as `BucketwardenDenyVerdictKeysInRequests`, `BucketwardenDenyUploadsTagged<hex key>`,
 * `BucketwardenDenyInfectedVerdictChanges`, `BucketwardenDenyServerSideCopies` and
 * `BucketwardenDenyReplication`.
 */
export const verdictTagsScannerOnly: StackValidationPolicy = {
  name: NAME,
  description:
    "Checks whether every upload bucket's policy lets no principal but the scanner set, change or strip the verdict tags, by upload, tag write, server-side copy or replication.",
  enforcementLevel: "mandatory",
  configSchema: denyRuleConfigSchema,
  validateStack: validateDenyRule({
    name: NAME,
    must: (tags) => `must let only the scanner write the verdict tags (${scannerTagKeys(tags).join(", ")})`,
    required,
  }),
};

function required(tags: TagSchema): RequiredDenial[] {
  const existing = [{}, { [tags.key]: tags.infectedValue }, { [tags.key]: tags.cleanValue }];
  const forged = scannerTagKeys(tags).flatMap((key) => [
    { key, tags: { [key]: tags.cleanValue } },
    { key, tags: { [key]: "forged" } },
    { key: `${key} in any letter case`, tags: { [caseVariant(key)]: tags.cleanValue } },
  ]);
  const uploads = forged.map(({ key, tags: requestTags }) => ({
    request: { action: "s3:PutObject", requestTags },
    label: `uploads (s3:PutObject) tagged ${key}`,
  }));
  const tagWrites = ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"].flatMap((action) =>
    existing.flatMap((existingTags) =>
      forged.map(({ key, tags: requestTags }) => ({
        request: { action, existingTags, requestTags },
        label: `${action} tagged ${key}`,
      })),
    ),
  );
  const infectedChanges = TAG_WRITE_ACTIONS.map((action) => ({
    request: { action, existingTags: { [tags.key]: tags.infectedValue }, requestTags: {} },
    label: `${action} of objects tagged ${tags.key}=${tags.infectedValue}`,
  }));
  const copies = [
    {
      request: { action: "s3:PutObject", copySource: FOREIGN_COPY_SOURCE },
      label: "server-side copies (s3:PutObject with s3:x-amz-copy-source) from buckets it does not name",
    },
  ];
  const replication = REPLICATION_WRITE_ACTIONS.map((action) => ({
    request: { action, existingTags: {}, requestTags: {} },
    label: `replication writes (${REPLICATION_WRITE_ACTIONS.join(", ")}) by roles it does not name`,
  }));
  return [...uploads, ...tagWrites, ...infectedChanges, ...copies, ...replication];
}

/** The key with its letters' case swapped: a different S3 tag key that reads the same to a person. */
function caseVariant(key: string): string {
  const swapped = [...key].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
  return swapped === key ? key.toUpperCase() : swapped;
}
