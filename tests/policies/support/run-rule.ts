/** Runs one rule on validation args and collects what it reported, awsguard-style. */
import * as assert from "node:assert/strict";
import type { StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { isUnknownValueError } from "../../../policies/lib/unknowns";
import { NotApplicableError } from "./policy-resources";

export interface Violation {
  message: string;
  urn?: string;
}

export interface RuleResult {
  violations: Violation[];
  /** Why the rule said it does not apply, if it did. */
  notApplicable?: string;
  /** The message of the unknown-value error the rule raised: what it could not decide during preview. */
  undecided?: string;
}

export async function runRule(rule: StackValidationPolicy, args: StackValidationArgs): Promise<RuleResult> {
  const violations: Violation[] = [];
  const result: RuleResult = { violations };
  try {
    await rule.validateStack(args, (message, urn) => violations.push({ message, urn }));
  } catch (e) {
    if (e instanceof NotApplicableError) result.notApplicable = e.message;
    else if (isUnknownValueError(e)) result.undecided = e.message;
    else throw e;
  }
  return result;
}

export function assertPasses(result: RuleResult): void {
  assert.deepEqual(result.violations, [], "expected no violations");
  assert.equal(result.undecided, undefined, "expected every question decided");
  assert.equal(result.notApplicable, undefined, "expected the rule to apply");
}

/** Asserts exactly the given violation messages, in any order, and nothing left undecided. */
export function assertViolations(result: RuleResult, ...messages: string[]): void {
  assert.deepEqual(result.violations.map((v) => v.message).sort(), [...messages].sort());
  assert.equal(result.undecided, undefined, "expected every question decided");
}
