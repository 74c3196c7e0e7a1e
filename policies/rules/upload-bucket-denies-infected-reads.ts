import type { StackValidationPolicy } from "@pulumi/policy";
import { READ_ACTIONS, REPLICATION_READ_ACTION, TORRENT_ACTIONS } from "../../core/access-rule";
import { denyRuleConfigSchema } from "../lib/config";
import { type DenyRuleArgs, validateDenyRule } from "../lib/deny-rule";

export interface UploadBucketDeniesInfectedReadsArgs extends DenyRuleArgs {}

const NAME = "upload-bucket-denies-infected-reads";

/** Every action that hands out an object's bytes. */
const ALL_READS = [...READ_ACTIONS, ...TORRENT_ACTIONS, REPLICATION_READ_ACTION];

/**
 * The seed's rule, on every read path: objects tagged infected are unreadable, in every version, to
 * all but the scanner (which re-reads them for rescans). Core's `accessRuleStatements` writes it as
 * `BucketwardenDenyInfectedReads`; torrents and replication reads, which S3 gives no object-tag
 * condition, as `BucketwardenDenyTorrentReads` and `BucketwardenDenyReplication` (a deny that
 * exempts a replication role passes when the role is one of `trustedPrincipalArns`). Any equivalent
 * statement passes.
 */
export const uploadBucketDeniesInfectedReads: StackValidationPolicy = {
  name: NAME,
  description:
    "Checks whether every upload bucket has a bucket policy that denies every read of objects tagged infected (s3:GetObject, s3:GetObjectVersion, torrents, replication) to all principals but the scanner.",
  enforcementLevel: "mandatory",
  configSchema: denyRuleConfigSchema,
  validateStack: validateDenyRule({
    name: NAME,
    must: (tags) =>
      `must deny reads (${READ_ACTIONS.join(", ")}, torrents, replication) of objects tagged ${tags.key}=${tags.infectedValue} to all principals but the scanner`,
    required: (tags) =>
      ALL_READS.map((action) => ({
        request: { action, existingTags: { [tags.key]: tags.infectedValue } },
        label: action,
      })),
  }),
};
