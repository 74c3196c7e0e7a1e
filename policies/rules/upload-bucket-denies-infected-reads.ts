import type { StackValidationPolicy } from "@pulumi/policy";
import { READ_ACTIONS } from "../../core/access-rule";
import { exemptionProperties, scannerProperties, tagProperties } from "../lib/config";
import { type DenyRuleArgs, validateDenyRule } from "../lib/deny-rule";

export interface UploadBucketDeniesInfectedReadsArgs extends DenyRuleArgs {}

const NAME = "upload-bucket-denies-infected-reads";

/**
 * The seed's rule: objects tagged infected are unreadable, in every version, to all but the scanner
 * (which re-reads them for rescans). Core's `accessRuleStatements` writes it as the statement
 * `BucketwardenDenyInfectedReads`; any equivalent statement passes.
 */
export const uploadBucketDeniesInfectedReads: StackValidationPolicy = {
  name: NAME,
  description:
    "Checks whether every upload bucket has a bucket policy that denies s3:GetObject and s3:GetObjectVersion of objects tagged infected to all principals but the scanner.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptionProperties, ...scannerProperties, ...tagProperties } },
  validateStack: validateDenyRule({
    name: NAME,
    must: (tags) =>
      `must deny ${READ_ACTIONS.join(" and ")} of objects tagged ${tags.key}=${tags.infectedValue} to all principals but the scanner`,
    required: (tags) =>
      READ_ACTIONS.map((action) => ({
        request: { action, existingTags: { [tags.key]: tags.infectedValue } },
        label: action,
      })),
  }),
};
