/**
 * Which buckets are upload buckets. Every bucket is one, unless
 * - it is the project's own infrastructure: created inside a `bucketwarden:index:DefinitionsStore`,
 *   `bucketwarden:index:BacklogScanning` or `bucketwarden:index:QuarantineBucket` component (visible
 *   in its URN), or
 * - it carries the exemption tag (default `bucketwarden:exempt`) with a non-empty value, the reason, or
 * - its Pulumi resource name or bucket name matches one of the rule's `exemptBucketNames` patterns.
 * A bucket outside the stack is one when the stack gives it a policy or a notification; only the
 * name patterns can exempt it, since its tags are not in the stack.
 */
import { type BucketIndex, type BucketNode, isOutsideStack } from "./buckets";
import { DEFAULT_EXEMPTION_TAG, type ExemptionArgs } from "./config";
import { globMatch } from "./glob";
import { isInside } from "./stack";
import { ComponentTypes } from "./types";
import { type Findings, read, type UnknownValueError } from "./unknowns";

export interface UploadBucket {
  readonly node: BucketNode;
  /** Set when an unknown value hides whether the bucket is exempt. */
  readonly exemptionUnknown?: { what: string; unknown: UnknownValueError };
}

/** True for the project's own infrastructure buckets (definitions, Batch Operations reports, quarantine). */
export function isInfrastructureBucket(node: BucketNode): boolean {
  const r = node.resource;
  return (
    r !== undefined &&
    (isInside(r, ComponentTypes.definitionsStore) ||
      isInside(r, ComponentTypes.backlogScanning) ||
      isInside(r, ComponentTypes.quarantineBucket))
  );
}

export function uploadBuckets(index: BucketIndex, args: ExemptionArgs): UploadBucket[] {
  const tag = args.exemptionTag ?? DEFAULT_EXEMPTION_TAG;
  const patterns = args.exemptBucketNames ?? [];
  const result: UploadBucket[] = [];
  for (const node of index.buckets) {
    if (isInfrastructureBucket(node)) continue;
    if (patterns.some((p) => globMatch(p, node.label))) continue;
    const name = node.name.known && typeof node.name.value === "string" ? node.name.value : undefined;
    if (name !== undefined && patterns.some((p) => globMatch(p, name))) continue;
    let exemptionUnknown: UploadBucket["exemptionUnknown"];
    if (!node.name.known && patterns.length > 0) {
      exemptionUnknown = { what: "its bucket name (for exemptBucketNames)", unknown: node.name.unknown };
    }
    if (!isOutsideStack(node)) {
      const reason = read(() => {
        const tags = node.resource?.props.tags;
        return tags === undefined || tags === null ? undefined : tags[tag];
      });
      if (!reason.known) {
        exemptionUnknown ??= { what: `its tag "${tag}"`, unknown: reason.unknown };
      } else if (typeof reason.value === "string" && reason.value.trim() !== "") {
        continue;
      }
    }
    result.push({ node, exemptionUnknown });
  }
  return result;
}

/**
 * Reports that `bucket` breaks a rule, or, when an unknown value hides whether it is exempt,
 * records the question for the end of the run.
 */
export function reportBucket(findings: Findings, bucket: UploadBucket, message: string): void {
  if (bucket.exemptionUnknown === undefined) {
    findings.violation(message, bucket.node.urn);
  } else {
    findings.undecidable(
      `${message}, unless it is exempt, which ${bucket.exemptionUnknown.what} decides and is unknown during preview`,
      bucket.exemptionUnknown.unknown,
    );
  }
}

/** How messages name an upload bucket. */
export function uploadLabel(node: BucketNode): string {
  return isOutsideStack(node)
    ? `Upload bucket "${node.label}" (outside this stack)`
    : `Upload bucket "${node.label}"`;
}
