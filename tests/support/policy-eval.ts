/**
 * A small evaluator of bucket-policy Deny statements, enough to ask "is this request denied?" of the
 * access rule in table-driven tests. It knows the condition operators the rule uses, with AWS's
 * semantics by default: a negated operator (`StringNotEquals`) matches when the key is missing. The
 * `ceph` semantics reproduce the measured difference of the local store (a negated operator does not
 * match a missing key), so a test can show the rule holds on both.
 */
import type { PolicyDocument, PolicyStatement } from "../../core/access-rule";

/** One request, as the policy sees it. */
export interface PolicyRequest {
  action: string;
  /** The object's ARN, or the bucket's. */
  resource: string;
  /** Request context keys, e.g. `aws:PrincipalArn`, `aws:SecureTransport`, `s3:ExistingObjectTag/Infected`. */
  context: Record<string, string>;
}

export type Semantics = "aws" | "ceph";

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

function list(v: string | string[] | boolean): string[] {
  return Array.isArray(v) ? v : [String(v)];
}

function conditionHolds(
  operator: string,
  key: string,
  expected: string | string[] | boolean,
  context: Record<string, string>,
  semantics: Semantics,
): boolean {
  const actual = context[key];
  const values = list(expected);
  switch (operator) {
    case "StringEquals":
      return actual !== undefined && values.includes(actual);
    case "StringNotEquals":
      if (actual === undefined) return semantics === "aws";
      return !values.includes(actual);
    case "StringLike":
      return actual !== undefined && values.some((v) => globToRegExp(v).test(actual));
    case "ArnEquals":
    case "ArnLike":
      return actual !== undefined && values.some((v) => globToRegExp(v).test(actual));
    case "Bool":
      return actual !== undefined && values.includes(actual);
    case "Null":
      return values.includes("true") ? actual === undefined : actual !== undefined;
    default:
      throw new Error(`the test evaluator does not know condition operator ${operator}`);
  }
}

/** True when `statement` applies to `request` (action, resource and every condition). */
export function statementMatches(
  statement: PolicyStatement,
  request: PolicyRequest,
  semantics: Semantics,
): boolean {
  const actionMatch = list(statement.Action).some((a) => globToRegExp(a).test(request.action));
  const resourceMatch = list(statement.Resource).some((r) => globToRegExp(r).test(request.resource));
  if (!actionMatch || !resourceMatch) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) =>
      conditionHolds(operator, key, expected, request.context, semantics),
    ),
  );
}

/** The Sids of the Deny statements that deny `request`; empty when nothing denies it. */
export function denyingStatements(
  policy: PolicyDocument | readonly PolicyStatement[],
  request: PolicyRequest,
  semantics: Semantics = "aws",
): string[] {
  const statements = Array.isArray(policy) ? policy : (policy as PolicyDocument).Statement;
  return statements
    .filter((s) => s.Effect === "Deny" && statementMatches(s, request, semantics))
    .map((s) => s.Sid ?? "(no Sid)");
}
