/**
 * Settings shared by several rules. Pulumi gives each policy its own configuration, so every rule
 * that needs a setting declares it; the fragments here keep the names, defaults and descriptions
 * the same everywhere. The tag settings are parsed by core's `tagSchema`, the same function that
 * parses the component's settings, so the pack and the component cannot disagree on what is valid.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { LambdaArchitectures } from "../../core/layer-layout";
import { layerName } from "../../core/naming";
import type { SettingKey } from "../../core/settings";
import { DEFAULT_TAG_SCHEMA, type TagSchema, tagSchema } from "../../core/tags";

type Properties = PolicyConfigSchema["properties"];

/** The verdict tag settings, named as in the component's stack configuration. */
export interface TagArgs {
  /** Key of the verdict tag. @default "Infected" */
  tagKey?: string;
  /** Verdict value of an infected object. @default "true" */
  tagInfectedValue?: string;
  /** Verdict value of a clean object: the only value that makes an object readable. @default "false" */
  tagCleanValue?: string;
  /** Key of the scan-result tag. @default "ScanResult" */
  tagResultKey?: string;
  /** Key of the scan-stamp tag. @default "ScanStamp" */
  tagStampKey?: string;
}

/** The tag settings, named exactly as the stack settings are (a type error if core renames one). */
export const TAG_SETTINGS = [
  "tagKey",
  "tagInfectedValue",
  "tagCleanValue",
  "tagResultKey",
  "tagStampKey",
] as const satisfies readonly (keyof TagArgs & SettingKey)[];

export const tagProperties: Properties = {
  tagKey: { type: "string", default: DEFAULT_TAG_SCHEMA.key, description: "Key of the verdict tag." },
  tagInfectedValue: {
    type: "string",
    default: DEFAULT_TAG_SCHEMA.infectedValue,
    description: "Verdict value of an infected object.",
  },
  tagCleanValue: {
    type: "string",
    default: DEFAULT_TAG_SCHEMA.cleanValue,
    description: "Verdict value of a clean object, the only readable one.",
  },
  tagResultKey: {
    type: "string",
    default: DEFAULT_TAG_SCHEMA.resultKey,
    description: "Key of the scan-result tag.",
  },
  tagStampKey: {
    type: "string",
    default: DEFAULT_TAG_SCHEMA.stampKey,
    description: "Key of the scan-stamp tag.",
  },
};

/** The tag schema a rule checks; a bad setting throws core's `ConfigError` naming `<rule>.<setting>`. */
export function tagSchemaOf(args: TagArgs, rule: string): TagSchema {
  return tagSchema(
    {
      key: args.tagKey,
      infectedValue: args.tagInfectedValue,
      cleanValue: args.tagCleanValue,
      resultKey: args.tagResultKey,
      stampKey: args.tagStampKey,
    },
    {
      key: `${rule}.tagKey`,
      infectedValue: `${rule}.tagInfectedValue`,
      cleanValue: `${rule}.tagCleanValue`,
      resultKey: `${rule}.tagResultKey`,
      stampKey: `${rule}.tagStampKey`,
    },
  );
}

/** Which buckets are not upload buckets. */
export interface ExemptionArgs {
  /**
   * Tag key that exempts a bucket; its value must say why (an empty value does not exempt).
   * @default "bucketwarden:exempt"
   */
  exemptionTag?: string;
  /**
   * Wildcard patterns (`*`, `?`) of buckets that are not upload buckets, matched against the Pulumi
   * resource name and the bucket name. @default []
   */
  exemptBucketNames?: string[];
}

export const DEFAULT_EXEMPTION_TAG = "bucketwarden:exempt";

export const exemptionProperties: Properties = {
  exemptionTag: {
    type: "string",
    minLength: 1,
    default: DEFAULT_EXEMPTION_TAG,
    description: "Tag key whose non-empty value (the reason) exempts a bucket.",
  },
  exemptBucketNames: {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: [],
    description: "Wildcard patterns of Pulumi resource names or bucket names that are not upload buckets.",
  },
};

/** How the pack recognises a scanner built by another program. */
export interface ScannerArgs {
  /**
   * Wildcard patterns of Lambda layer names (of a LayerVersion in the stack, or the name inside a
   * layer ARN) that carry the scanning engine.
   * @default ["*-scanner-x86_64", "*-scanner-arm64", "*clamscan*"]
   */
  scannerLayerNames?: string[];
}

/**
 * bucketwarden's scanner layers, named by core's `layerName` with any prefix, and the seed's
 * `clamscanLayer`. The freshclam layer also carries clamscan (the updater proves a database loads),
 * so layers are recognised by name, not by content.
 */
export const DEFAULT_SCANNER_LAYER_NAMES: readonly string[] = [
  ...LambdaArchitectures.map((arch) => layerName("PREFIX", "scanner", arch).replace("PREFIX", "*")),
  "*clamscan*",
];

export const scannerProperties: Properties = {
  scannerLayerNames: {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: [...DEFAULT_SCANNER_LAYER_NAMES],
    description: "Wildcard patterns of Lambda layer names that carry the scanning engine.",
  },
};

/** Principals besides the scanner that the deny rules accept in an exemption. */
export interface TrustedPrincipalArgs {
  /**
   * Exact ARNs (no wildcards) of principals a bucket policy may exempt besides the stack's scanner
   * roles: the break-glass role that releases false positives (`breakGlassRoleArns`), and the role
   * S3 replication runs as (`replicationRoleArns`). @default []
   */
  trustedPrincipalArns?: string[];
}

export const trustedPrincipalProperties: Properties = {
  trustedPrincipalArns: {
    type: "array",
    items: { type: "string", minLength: 1, pattern: "^[^*?]+$" },
    default: [],
    description:
      "Exact ARNs of principals besides the scanner roles that a deny may exempt: a break-glass role, a replication role.",
  },
};

/** The configuration of every rule that checks the access rule's denies (they read the same settings). */
export const denyRuleConfigSchema = {
  properties: {
    ...exemptionProperties,
    ...scannerProperties,
    ...tagProperties,
    ...trustedPrincipalProperties,
  },
};
