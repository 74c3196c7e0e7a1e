import type { StackValidationPolicy } from "@pulumi/policy";
import { TAG_WRITE_ACTIONS } from "../../core/access-rule";
import { scannerTagKeys, type TagSchema } from "../../core/tags";
import type { RequiredDenial } from "../lib/bucket-policy";
import { exemptionProperties, scannerProperties, tagProperties } from "../lib/config";
import { type DenyRuleArgs, validateDenyRule } from "../lib/deny-rule";

export interface VerdictTagsScannerOnlyArgs extends DenyRuleArgs {}

const NAME = "verdict-tags-scanner-only";

/**
 * Without this an uploader walks past the deny rule: upload with `Infected=false`, or strip
 * `Infected=true` afterwards. Tag writes are denied whatever the object's or the request's tags
 * (PutObjectTagging replaces the whole tag set, so removing a key is a write like any other), and
 * so are uploads that set any scanner-owned key. Core writes these as
 * `BucketwardenDenyVerdictTagWrites` and `BucketwardenDenyUploadsTagged<hex key>`.
 */
export const verdictTagsScannerOnly: StackValidationPolicy = {
  name: NAME,
  description:
    "Checks whether every upload bucket's policy lets no principal but the scanner write, delete or upload the verdict tags.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptionProperties, ...scannerProperties, ...tagProperties } },
  validateStack: validateDenyRule({
    name: NAME,
    must: (tags) => `must let only the scanner write the verdict tags (${scannerTagKeys(tags).join(", ")})`,
    required,
  }),
};

function required(tags: TagSchema): RequiredDenial[] {
  const existing = [{}, { [tags.key]: tags.infectedValue }, { [tags.key]: tags.cleanValue }];
  const requested = [{}, { [tags.key]: tags.cleanValue }];
  const tagWrites = TAG_WRITE_ACTIONS.flatMap((action) =>
    existing.flatMap((existingTags) =>
      requested.map((requestTags) => ({ request: { action, existingTags, requestTags }, label: action })),
    ),
  );
  const uploads = scannerTagKeys(tags).flatMap((key) =>
    [tags.cleanValue, "forged"].map((value) => ({
      request: { action: "s3:PutObject", requestTags: { [key]: value } },
      label: `uploads (s3:PutObject) tagged ${key}`,
    })),
  );
  return [...tagWrites, ...uploads];
}
