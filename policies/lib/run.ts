/** What every bucket rule does first: read its settings, index the stack, find the upload buckets. */
import type { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { type BucketIndex, indexBuckets } from "./buckets";
import type { ExemptionArgs } from "./config";
import { describe, StackGraph } from "./stack";
import { Findings } from "./unknowns";
import { type UploadBucket, uploadBuckets } from "./upload-buckets";

export interface BucketRun<Args> {
  readonly args: Args;
  readonly index: BucketIndex;
  readonly graph: StackGraph;
  readonly uploads: UploadBucket[];
  readonly findings: Findings;
}

/**
 * Runs `check` over the stack's upload buckets. Bucket-level resources whose bucket is unknown
 * during preview are reported as undecided (they may configure an upload bucket), and the rule is
 * not applicable to a stack without upload buckets.
 */
export async function forUploadBuckets<Args extends ExemptionArgs>(
  stack: StackValidationArgs,
  reportViolation: ReportViolation,
  check: (run: BucketRun<Args>) => void | Promise<void>,
): Promise<void> {
  const args = stack.getConfig<Args>();
  const graph = new StackGraph(stack.resources);
  const index = indexBuckets(graph);
  const uploads = uploadBuckets(index, args);
  const findings = new Findings(reportViolation);
  if (uploads.length === 0 && index.unattached.length === 0) {
    stack.notApplicable("The stack has no upload buckets");
  }
  await check({ args, index, graph, uploads, findings });
  for (const { resource, unknown } of index.unattached) {
    findings.undecidable(
      `the bucket of ${describe(resource)} is unknown and not a bucket of this stack`,
      unknown,
    );
  }
  findings.finish();
}
