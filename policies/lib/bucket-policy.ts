/**
 * A bucket's policy, and whether it denies given requests to everyone but the scanner. The policy
 * comes from the bucket's one BucketPolicy (or the deprecated inline `policy` of the bucket); two
 * sources replace each other, which is a finding of its own.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { BucketNode } from "./buckets";
import { denials, exemptsOnly, parseStatements, type Request, type Target } from "./policy-document";
import type { Scanners } from "./scanner";
import { describe } from "./stack";
import { read, type UnknownValueError } from "./unknowns";

export type BucketPolicy =
  | {
      kind: "policy";
      source: string;
      statements: Exclude<ReturnType<typeof parseStatements>, { error: string }>;
    }
  | { kind: "problem"; problem: string }
  | { kind: "unknown"; what: string; unknown: UnknownValueError };

const PARTITIONS = [
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
];

export function policyOf(node: BucketNode): BucketPolicy {
  const sources: { source: string; read: () => unknown; owner: PolicyResource }[] = node.policies.map(
    (p) => ({
      source: describe(p),
      read: () => p.props.policy,
      owner: p,
    }),
  );
  const bucket = node.resource;
  if (bucket !== undefined) {
    const inline = read(() => bucket.props.policy);
    if (!inline.known || (inline.value !== undefined && inline.value !== null && inline.value !== "")) {
      sources.push({
        source: `the inline policy of ${describe(bucket)}`,
        read: () => bucket.props.policy,
        owner: bucket,
      });
    }
  }
  if (sources.length === 0) return { kind: "problem", problem: "it has no bucket policy" };
  if (sources.length > 1) {
    return {
      kind: "problem",
      problem: `${sources.map((s) => s.source).join(" and ")} replace each other, since a bucket has one policy`,
    };
  }
  const [only] = sources;
  const doc = read(() => {
    const v = only.read();
    // An object policy is copied whole, so an unknown anywhere in it is found here.
    return typeof v === "string" ? v : JSON.parse(JSON.stringify(v));
  });
  if (!doc.known) return { kind: "unknown", what: `the policy of ${only.source}`, unknown: doc.unknown };
  const statements = parseStatements(doc.value);
  if ("error" in statements) return { kind: "problem", problem: `${only.source}: ${statements.error}` };
  return { kind: "policy", source: only.source, statements };
}

/** The bucket's name and partitions as statements must name them. */
export function targetOf(node: BucketNode): { target: Target; nameUnknown?: UnknownValueError } {
  const arn = node.resource === undefined ? undefined : read(() => node.resource?.props.arn);
  const partition = arn?.known && typeof arn.value === "string" ? arn.value.split(":")[1] : undefined;
  const partitions = partition !== undefined && partition !== "" ? [partition] : PARTITIONS;
  if (!node.name.known) return { target: { partitions }, nameUnknown: node.name.unknown };
  return { target: { bucket: String(node.name.value), partitions } };
}

/** A request the policy must deny, and how messages name it. */
export interface RequiredDenial {
  readonly request: Request;
  readonly label: string;
}

export interface DenialGaps {
  /** Labels of required denials no statement makes. */
  readonly missing: string[];
  /** Principals exempted from a required denial that are not a scanner function's role. */
  readonly overExempt: string[];
  readonly unknown?: { what: string; unknown: UnknownValueError };
}

/** Which of `required` the statements fail to deny to everyone but the scanner. */
export function denialGaps(
  node: BucketNode,
  statements: Extract<BucketPolicy, { kind: "policy" }>["statements"],
  required: readonly RequiredDenial[],
  scanners: Scanners,
): DenialGaps {
  const { target, nameUnknown } = targetOf(node);
  const missing: string[] = [];
  const overExempt = new Set<string>();
  let unknown: DenialGaps["unknown"];
  for (const { request, label } of required) {
    const effects = denials(statements, target, request);
    if (effects.some((e) => exemptsOnly(e, scanners.roles))) continue;
    if (effects.length > 0) {
      if (scanners.unknown !== undefined) {
        unknown ??= scanners.unknown;
        continue;
      }
      for (const e of effects) for (const p of e.exempts) if (!scanners.roles.has(p)) overExempt.add(p);
      continue;
    }
    if (nameUnknown !== undefined) {
      unknown ??= { what: `the name of bucket "${node.label}"`, unknown: nameUnknown };
      continue;
    }
    missing.push(label);
  }
  return { missing: [...new Set(missing)], overExempt: [...overExempt], unknown };
}
