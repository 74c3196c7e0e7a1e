import type { StackValidationPolicy } from "@pulumi/policy";
import { READ_ACTIONS } from "../../core/access-rule";
import type { TagSchema } from "../../core/tags";
import type { RequiredDenial } from "../lib/bucket-policy";
import { denyRuleConfigSchema } from "../lib/config";
import { type DenyRuleArgs, validateDenyRule } from "../lib/deny-rule";

export interface UploadBucketFailClosedArgs extends DenyRuleArgs {}

const NAME = "upload-bucket-fail-closed";

/**
 * Fail-closed: an object is readable only once the scanner has tagged it clean, so nothing is
 * downloadable in the seconds before its scan, or ever if the scan fails. Advisory by default,
 * since the seed's design (deny only infected) is a deliberate choice some stacks make; set the
 * rule's enforcement level to `mandatory` to require it. Core writes it as
 * `BucketwardenDenyUnscannedReads` and `BucketwardenDenyUntaggedReads`; on AWS the first alone
 * suffices, since a negated condition matches a missing tag.
 */
export const uploadBucketFailClosed: StackValidationPolicy = {
  name: NAME,
  description:
    "Checks whether every upload bucket's policy denies reads of objects not yet tagged clean by the scanner (fail-closed).",
  enforcementLevel: "advisory",
  configSchema: denyRuleConfigSchema,
  validateStack: validateDenyRule({
    name: NAME,
    must: (tags) =>
      `must keep objects unreadable until the scanner tags them ${tags.key}=${tags.cleanValue} (fail-closed)`,
    required,
  }),
};

function required(tags: TagSchema): RequiredDenial[] {
  const notClean = ["unscanned", "pending"].find((v) => v !== tags.cleanValue && v !== tags.infectedValue);
  return READ_ACTIONS.flatMap((action) => [
    { request: { action, existingTags: {} }, label: `${action} of objects without the ${tags.key} tag` },
    {
      request: { action, existingTags: { [tags.key]: notClean ?? `${tags.cleanValue}-not` } },
      label: `${action} of objects whose ${tags.key} tag is not ${tags.cleanValue}`,
    },
  ]);
}
