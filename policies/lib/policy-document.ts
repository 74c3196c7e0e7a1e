/**
 * Reading bucket policies by what they do, not by how they are spelled: a statement counts when it
 * denies a given request (action, object, its tags, a principal other than the scanner). Statements
 * written by core's `accessRuleStatements` count, and so does any equivalent hand-written policy;
 * a statement narrowed by a condition the pack cannot evaluate does not.
 *
 * Condition semantics follow AWS: a negated operator (`StringNotEquals`) matches when the key is
 * absent, `...IfExists` matches when it is absent, `Null` tests presence. Object-tag keys are absent
 * for the actions S3 gives no `s3:ExistingObjectTag` condition (uploads, torrents, replication reads),
 * so a tag-conditioned deny does not count for them.
 */
import {
  COPY_SOURCE_KEY,
  existingTagKey,
  type PolicyStatement,
  REPLICATION_READ_ACTION,
  REPLICATION_WRITE_ACTIONS,
  REQUEST_TAG_KEYS_KEY,
  requestTagKey,
  scannerRole,
  TORRENT_ACTIONS,
} from "../../core/access-rule";
import { globMatch, hasWildcard } from "./glob";

/** The principal condition key core uses for the scanner on AWS (`aws:PrincipalArn`). */
export const SCANNER_CONDITION_KEY = scannerRole("").conditionKey;

type Statement = Partial<Omit<PolicyStatement, "Effect">> & {
  Effect?: string;
  NotAction?: string | string[];
  NotResource?: string | string[];
};

/** Parses a policy (a JSON string, or the object a program passed) into its statements. */
export function parseStatements(policy: unknown): Statement[] | { error: string } {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch (e) {
      return { error: `its policy is not valid JSON (${(e as Error).message})` };
    }
  }
  if (typeof doc !== "object" || doc === null) return { error: "its policy is not a policy document" };
  const statements = (doc as { Statement?: unknown }).Statement;
  if (statements === undefined) return [];
  return (Array.isArray(statements) ? statements : [statements]) as Statement[];
}

/** A request a policy should deny, made by some principal other than the scanner. */
export interface Request {
  action: string;
  /** Tags the object already has; absent keys are missing tags. */
  existingTags?: Readonly<Record<string, string>>;
  /** Tags the request sets. */
  requestTags?: Readonly<Record<string, string>>;
  /** The `x-amz-copy-source` of a server-side copy (`bucket/key`). */
  copySource?: string;
}

/** What one statement does to a request. */
export interface Effect {
  denies: boolean;
  /** Principals the statement leaves out through its scanner condition (values of `aws:PrincipalArn`). */
  exempts: string[];
}

/** Where the statement must apply: every object of the bucket. */
export interface Target {
  /** The bucket's name, or `undefined` when unknown (then only wildcard resources can match). */
  bucket?: string;
  /** ARN partitions the bucket may be in, e.g. `["aws"]`; a statement must cover its objects in one. */
  partitions: readonly string[];
}

// Two object ARNs a statement must both match to cover "every object" of a bucket.
const SAMPLE_KEYS = ["object", "any/nested/key.bin"];

export function evaluate(s: Statement, target: Target, request: Request): Effect {
  const none: Effect = { denies: false, exempts: [] };
  if (s.Effect !== "Deny" || s.NotPrincipal !== undefined || !isEveryone(s.Principal)) return none;
  if (!matchesAll(s.Action, s.NotAction, [request.action], { ignoreCase: true })) return none;
  const bucket = target.bucket ?? "\u0000unknown-bucket";
  const covers = target.partitions.some((partition) => {
    const objects = SAMPLE_KEYS.map((k) => `arn:${partition}:s3:::${bucket}/${k}`);
    return matchesAll(s.Resource, s.NotResource, objects, {});
  });
  if (!covers) return none;
  const exempts: string[] = [];
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    for (const [key, raw] of Object.entries(block)) {
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      if (key.toLowerCase() === SCANNER_CONDITION_KEY.toLowerCase()) {
        if (!isNegated(operator)) return none;
        exempts.push(...values);
        continue;
      }
      if (!conditionHolds(operator, key, values, request)) return none;
    }
  }
  return { denies: true, exempts };
}

/** Whether the statements, taken together, deny the request; and the principals left out. */
export function denials(statements: readonly Statement[], target: Target, request: Request): Effect[] {
  return statements.map((s) => evaluate(s, target, request)).filter((e) => e.denies);
}

/** True when every exempted principal is one of `scanners` and none is a wildcard. */
export function exemptsOnly(effect: Effect, scanners: ReadonlySet<string>): boolean {
  return effect.exempts.every((p) => !hasWildcard(p) && scanners.has(p));
}

function isEveryone(principal: Statement["Principal"]): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null || !("AWS" in principal)) return false;
  const aws = principal.AWS;
  return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

function list(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

function matchesAll(
  include: string | string[] | undefined,
  exclude: string | string[] | undefined,
  values: readonly string[],
  options: { ignoreCase?: boolean },
): boolean {
  const inc = list(include);
  const exc = list(exclude);
  if (inc !== undefined) return values.every((v) => inc.some((p) => globMatch(p, v, options)));
  if (exc !== undefined) return values.every((v) => !exc.some((p) => globMatch(p, v, options)));
  return false;
}

function isNegated(operator: string): boolean {
  return /^(String|Arn)Not/.test(baseOperator(operator).op);
}

function baseOperator(operator: string): { op: string; ifExists: boolean; set?: "any" | "all" } {
  let op = operator;
  let set: "any" | "all" | undefined;
  if (op.startsWith("ForAnyValue:")) [set, op] = ["any", op.slice("ForAnyValue:".length)];
  else if (op.startsWith("ForAllValues:")) [set, op] = ["all", op.slice("ForAllValues:".length)];
  const ifExists = op.endsWith("IfExists");
  if (ifExists) op = op.slice(0, -"IfExists".length);
  return { op, ifExists, set };
}

// Condition key names are case-insensitive; the tag key after the slash is not.
const EXISTING_TAG = existingTagKey("").toLowerCase();
const REQUEST_TAG = requestTagKey("").toLowerCase();
const REQUEST_TAG_KEYS = REQUEST_TAG_KEYS_KEY.toLowerCase();
const COPY_SOURCE = COPY_SOURCE_KEY.toLowerCase();
// Actions for which the Service Authorization Reference lists no s3:ExistingObjectTag key.
const NO_EXISTING_TAGS = new Set(
  ["s3:PutObject", ...TORRENT_ACTIONS, REPLICATION_READ_ACTION, ...REPLICATION_WRITE_ACTIONS].map((a) =>
    a.toLowerCase(),
  ),
);

/** Evaluates one condition for the request; keys the pack does not model never hold. */
function conditionHolds(operator: string, key: string, values: string[], request: Request): boolean {
  const lower = key.toLowerCase();
  const { op, ifExists, set } = baseOperator(operator);
  if (lower === REQUEST_TAG_KEYS) {
    const keys = Object.keys(request.requestTags ?? {});
    if (set !== "any") return false;
    return keys.some((k) => compare(op, k, values) === true);
  }
  let actual: string | undefined;
  if (lower.startsWith(EXISTING_TAG)) {
    if (!NO_EXISTING_TAGS.has(request.action.toLowerCase()))
      actual = request.existingTags?.[key.slice(EXISTING_TAG.length)];
  } else if (lower === COPY_SOURCE) actual = request.copySource;
  else if (lower.startsWith(REQUEST_TAG)) actual = request.requestTags?.[key.slice(REQUEST_TAG.length)];
  else return false;
  if (set !== undefined) return false;
  if (op === "Null") {
    const wantsMissing = values.map((v) => v.toLowerCase());
    return wantsMissing.includes(actual === undefined ? "true" : "false");
  }
  if (actual === undefined) return ifExists || isNegated(op);
  return compare(op, actual, values) === true;
}

function compare(op: string, actual: string, values: string[]): boolean | undefined {
  switch (op) {
    case "StringEquals":
      return values.includes(actual);
    case "StringNotEquals":
      return !values.includes(actual);
    case "StringEqualsIgnoreCase":
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case "StringNotEqualsIgnoreCase":
      return !values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case "StringLike":
      return values.some((v) => globMatch(v, actual));
    case "StringNotLike":
      return !values.some((v) => globMatch(v, actual));
    default:
      return undefined;
  }
}
