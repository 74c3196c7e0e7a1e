/**
 * The shape of the three rules that read upload bucket policies: for each upload bucket, find its
 * policy and report the required denials it lacks, in one "must" sentence naming the bucket.
 */
import type { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import type { TagSchema } from "../../core/tags";
import { type DenialGaps, denialGaps, policyOf, type RequiredDenial } from "./bucket-policy";
import {
  type ExemptionArgs,
  type ScannerArgs,
  type TagArgs,
  type TrustedPrincipalArgs,
  tagSchemaOf,
} from "./config";
import { type BucketRun, forUploadBuckets } from "./run";
import { findScanners } from "./scanner";
import { reportBucket, uploadLabel } from "./upload-buckets";

export interface DenyRuleArgs extends ExemptionArgs, ScannerArgs, TagArgs, TrustedPrincipalArgs {}

export interface DenyRule {
  /** The rule's name, for setting names in errors. */
  name: string;
  /** What the bucket must do, e.g. `must deny reads of infected objects to all principals but the scanner`. */
  must: (tags: TagSchema) => string;
  /** The requests its policy must deny. */
  required: (tags: TagSchema) => RequiredDenial[];
}

export function validateDenyRule(rule: DenyRule) {
  return (stack: StackValidationArgs, reportViolation: ReportViolation) =>
    forUploadBuckets<DenyRuleArgs>(stack, reportViolation, (run) => check(rule, run));
}

function check(rule: DenyRule, run: BucketRun<DenyRuleArgs>): void {
  const tags = tagSchemaOf(run.args, rule.name);
  const required = rule.required(tags);
  const found = findScanners(run.graph, run.args);
  // Trusted principals are named by the operator, so a deny may exempt them like a scanner role.
  const scanners = { ...found, roles: new Set([...found.roles, ...(run.args.trustedPrincipalArns ?? [])]) };
  for (const bucket of run.uploads) {
    const must = `${uploadLabel(bucket.node)} ${rule.must(tags)}`;
    const policy = policyOf(bucket.node);
    if (policy.kind === "unknown") {
      run.findings.undecidable(`${must}: ${policy.what} is unknown`, policy.unknown);
      continue;
    }
    if (policy.kind === "problem") {
      reportBucket(run.findings, bucket, `${must}: ${policy.problem}`);
      continue;
    }
    const gaps = denialGaps(bucket.node, policy.statements, required, scanners);
    const problems = describeGaps(gaps);
    if (problems.length > 0) {
      reportBucket(run.findings, bucket, `${must}: ${policy.source} ${problems.join(", and ")}`);
    } else if (gaps.unknown !== undefined) {
      run.findings.undecidable(`${must}: ${gaps.unknown.what} is unknown`, gaps.unknown.unknown);
    }
  }
}

function describeGaps(gaps: DenialGaps): string[] {
  const problems: string[] = [];
  if (gaps.missing.length > 0) problems.push(`does not deny ${gaps.missing.join(", ")}`);
  if (gaps.overExempt.length > 0) {
    problems.push(
      `also exempts ${gaps.overExempt.join(", ")}, which ${gaps.overExempt.length === 1 ? "is" : "are"} not the role of a scanner function in this stack nor one of trustedPrincipalArns`,
    );
  }
  return problems;
}
