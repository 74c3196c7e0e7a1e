/**
 * The verdict tag schema: which object tags the scanner writes, what their values mean, and what
 * counts as "clean". The scanner, the access rule, the policy pack, local mode and the tests all
 * read it from here.
 */
import { ConfigError } from "./errors";

/**
 * The object-verdict tag schema: the S3 object tags the scanner owns on every scanned object (the
 * components' `verdictTags`). Not AWS resource tags, which the components take as `tags`.
 */
export interface TagSchema {
  /** Key of the verdict tag. @default "Infected" */
  readonly key: string;
  /** Verdict value for an object the engine flagged (or could not fully scan). @default "true" */
  readonly infectedValue: string;
  /** Verdict value for an object scanned clean: the only value that makes an object readable. @default "false" */
  readonly cleanValue: string;
  /**
   * Verdict value the scanner's marker writes on the versions a bucket held before it was adopted, so
   * the access rule (with `preExistingReadable`) keeps them readable until the backlog scan replaces
   * the mark with a verdict. Never written for a new upload; no one but the scanner may write it.
   * @default "pending"
   */
  readonly pendingValue: string;
  /** Key of the tag that says what the scan found (status and signature). @default "ScanResult" */
  readonly resultKey: string;
  /** Key of the tag that records which definitions scanned which content. @default "ScanStamp" */
  readonly stampKey: string;
}

/** The seed's tag, `Infected` = `true`/`false`, and the scanner's two detail tags. */
export const DEFAULT_TAG_SCHEMA: TagSchema = Object.freeze({
  key: "Infected",
  infectedValue: "true",
  cleanValue: "false",
  pendingValue: "pending",
  resultKey: "ScanResult",
  stampKey: "ScanStamp",
});

/** S3 allows at most this many tags on an object. */
export const MAX_OBJECT_TAGS = 10;

/** One S3 object tag. */
export interface Tag {
  Key: string;
  Value: string;
}

// S3 tag keys and values: letters, numbers, spaces and + - = . _ : / @ (Unicode letters included).
const TAG_CHARS = /^[\p{L}\p{N}\p{Z}+\-=._:/@]*$/u;

/** Why `key` cannot be an S3 tag key, or `undefined` when it can. */
export function tagKeyProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > 128) return "must be 1 to 128 characters long";
  if (!TAG_CHARS.test(key)) return "may contain only letters, numbers, spaces and + - = . _ : / @";
  if (key.toLowerCase().startsWith("aws:")) return 'must not start with "aws:", which AWS reserves';
  return undefined;
}

/** Why `value` cannot be an S3 tag value, or `undefined` when it can. */
export function tagValueProblem(value: string): string | undefined {
  if (value.length > 256) return "must be at most 256 characters long";
  if (!TAG_CHARS.test(value)) return "may contain only letters, numbers, spaces and + - = . _ : / @";
  return undefined;
}

/** Names of the settings a schema is built from, so errors point at what the user wrote. */
export interface TagSchemaSettingNames {
  key: string;
  infectedValue: string;
  cleanValue: string;
  /** Optional so callers that predate the pending mark keep compiling; errors then name `cleanValue`'s sibling. */
  pendingValue?: string;
  resultKey: string;
  stampKey: string;
}

/**
 * Builds a schema from partial settings, filling defaults and rejecting anything S3 would refuse
 * or that would make the verdict ambiguous. Errors name the setting.
 */
export function tagSchema(settings: Partial<TagSchema>, names: TagSchemaSettingNames): TagSchema {
  const schema: TagSchema = { ...DEFAULT_TAG_SCHEMA, ...stripUndefined(settings) };
  for (const field of ["key", "resultKey", "stampKey"] as const) {
    const problem = tagKeyProblem(schema[field]);
    if (problem) throw new ConfigError(names[field], `tag key "${schema[field]}" ${problem}`);
  }
  const valueName = (field: "infectedValue" | "cleanValue" | "pendingValue") =>
    names[field] ?? `${names.key} pending value`;
  for (const field of ["infectedValue", "cleanValue", "pendingValue"] as const) {
    const problem =
      tagValueProblem(schema[field]) ?? (schema[field] === "" ? "must not be empty" : undefined);
    if (problem) throw new ConfigError(valueName(field), `tag value "${schema[field]}" ${problem}`);
  }
  if (schema.infectedValue === schema.cleanValue) {
    throw new ConfigError(
      names.cleanValue,
      `must differ from ${names.infectedValue} ("${schema.infectedValue}")`,
    );
  }
  for (const other of ["infectedValue", "cleanValue"] as const)
    if (schema.pendingValue === schema[other])
      throw new ConfigError(
        valueName("pendingValue"),
        `must differ from ${valueName(other)} ("${schema[other]}")`,
      );
  const keys = [schema.key, schema.resultKey, schema.stampKey];
  if (new Set(keys).size !== keys.length) {
    throw new ConfigError(
      names.key,
      `the verdict, result and stamp tag keys must differ (got ${keys.join(", ")})`,
    );
  }
  return Object.freeze(schema);
}

/** Every tag key the scanner owns, which no one else may write. */
export function scannerTagKeys(schema: TagSchema): string[] {
  return [schema.key, schema.resultKey, schema.stampKey];
}

/**
 * True when `key` is one of the scanner's keys in any letter case. S3 tag keys are case-sensitive, so
 * a user's `infected=false` beside the scanner's `Infected=true` would make the tag set ambiguous to
 * anyone who reads it loosely: such keys are reserved for the scanner as well.
 */
export function isScannerTagKey(key: string, schema: TagSchema): boolean {
  const folded = key.toLowerCase();
  return scannerTagKeys(schema).some((k) => k.toLowerCase() === folded);
}

/** True when `tags` carry the pending mark: a pre-existing version the backlog scan has not reached. */
export function isPending(tags: readonly Tag[], schema: TagSchema): boolean {
  return tags.some((t) => t.Key === schema.key && t.Value === schema.pendingValue);
}

/** True when `tags` carry the clean verdict: the one state in which an object may be read. */
export function isClean(tags: readonly Tag[], schema: TagSchema): boolean {
  return tags.some((t) => t.Key === schema.key && t.Value === schema.cleanValue);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
