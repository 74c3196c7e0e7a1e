/**
 * Values the engine does not know during preview. Reading one through the engine's proxy throws
 * `UnknownValueError`; a policy that lets it escape is turned into an advisory "can't run policy
 * during preview" for the whole rule. The rules instead read through {@link read}, decide every
 * bucket they can, and only then report what they could not decide ({@link Findings.finish}).
 */

import type { ReportViolation } from "@pulumi/policy";
import * as policy from "@pulumi/policy";

/** The engine's unknown-value error. @pulumi/policy 1.21 exports it, but its typings do not declare it. */
export interface UnknownValueError extends Error {
  /** The sentinel that marked the value unknown. */
  readonly unknownTypeSentinel: string;
  /** The property path that was read, e.g. `["policy"]`. */
  readonly props: readonly string[];
}

interface UnknownValueErrorClass {
  new (unknownTypeSentinel: string, props: readonly string[]): UnknownValueError;
}

/** The class the engine's proxy throws and the policy server recognises. */
export const UnknownValueError = (policy as unknown as { UnknownValueError: UnknownValueErrorClass })
  .UnknownValueError;

/** Wraps values the way the engine does before a rule sees them. */
export const unknownCheckingProxy = (policy as unknown as { unknownCheckingProxy: <T>(value: T) => T })
  .unknownCheckingProxy;

export function isUnknownValueError(e: unknown): e is UnknownValueError {
  return e instanceof UnknownValueError;
}

/** A value read from a resource: known, or unknown until the update runs. */
export type Known<T> = { known: true; value: T } | { known: false; unknown: UnknownValueError };

/** Runs `get`, turning an unknown value into `{ known: false }`. Other errors pass through. */
export function read<T>(get: () => T): Known<T> {
  try {
    return { known: true, value: get() };
  } catch (e) {
    if (isUnknownValueError(e)) return { known: false, unknown: e };
    throw e;
  }
}

/** A known string, or `undefined` when the value is absent, unknown or not a string. */
export function knownString(get: () => unknown): string | undefined {
  const r = read(get);
  return r.known && typeof r.value === "string" ? r.value : undefined;
}

/** Thrown by a rule that could not decide something: the engine reports it as "can't run during preview". */
class UndecidedError extends UnknownValueError {
  constructor(cause: UnknownValueError, message: string) {
    super(cause.unknownTypeSentinel, cause.props);
    this.message = message;
  }
}

/**
 * What one run of a rule found. Violations are reported at once; questions that an unknown value
 * left open are collected and raised together by {@link finish}, after every decidable bucket has
 * been checked, so one unknown never hides another bucket's violation and never passes silently.
 */
export class Findings {
  private readonly undecided: string[] = [];
  private cause?: UnknownValueError;

  constructor(private readonly reportViolation: ReportViolation) {}

  violation(message: string, urn?: string): void {
    this.reportViolation(message, urn);
  }

  /** Records that `message` could not be decided because of `cause`. */
  undecidable(message: string, cause: UnknownValueError): void {
    this.cause ??= cause;
    this.undecided.push(message);
  }

  /** Throws the collected open questions, if any, as the engine's unknown-value error. */
  finish(): void {
    if (this.cause === undefined) return;
    throw new UndecidedError(
      this.cause,
      `${this.undecided.join("; ")} (checked again with the real values when the update runs)`,
    );
  }
}
