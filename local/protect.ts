/**
 * `bucketwarden protect --local <bucket>`: adopts a bucket the owner made in the local store the way
 * a stack adopts one on AWS (docs/DESIGN-12 order), so that no object becomes unreadable before its
 * verdict unless the adoption is strict:
 * 1. the scanner's grant on the bucket (merged with the bucket's own statements) and the runner's
 *    notifications, so that new uploads are scanned from now on;
 * 2. the scanner's marker: `Infected=pending` on every version without a verified verdict (strict:
 *    unverified verdict keys removed instead);
 * 3. the access rule, merged with the bucket's own statements (pending stays readable unless strict);
 * 4. the backlog scan (the caller starts it), which replaces every mark with a verdict.
 * The bucket's own policy statements are kept; one whose Sid collides with bucketwarden's is refused,
 * listed. The bucket's notification entries are kept (the store adds ours beside them), and so are
 * the objects' own tags (the marker merges the mark into them).
 */
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { mergePolicy, type PolicyDocument, type PolicyStatement } from "../core/access-rule";
import { BucketwardenError, PolicyConflictError } from "../core/errors";
import { MARK_PRE_EXISTING, type MarkContinuation, type MarkReport } from "../core/marker";
import { SCAN_EVENTS } from "../core/notifications";
import { adoptedBucketStatements, type PipelineBuckets } from "./buckets";
import { entryId } from "./notifications";

/** The bucket cannot be adopted as it is; the message says why and what to do. */
export class ProtectError extends BucketwardenError {}

export interface ProtectDeps {
  owner: S3Client;
  buckets: PipelineBuckets;
  topic: { name: string; arn: string };
  /** Invokes the scanner's marker entry point once (within its time budget). */
  mark(event: Record<string, unknown>): Promise<MarkReport>;
  /** Remembers the bucket as protected, so the runner serves its notifications and rescans. */
  remember(bucket: string): void;
}

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** The bucket's live policy statements that are not bucketwarden's own. */
async function userStatements(
  deps: ProtectDeps,
  bucket: string,
  ours: ReadonlySet<string>,
): Promise<PolicyStatement[]> {
  let policy: PolicyDocument;
  try {
    const r = await deps.owner.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    policy = JSON.parse(r.Policy ?? "{}") as PolicyDocument;
  } catch (e) {
    if ((e as Error).name === "NoSuchBucketPolicy" || statusOf(e) === 404) return [];
    throw e;
  }
  return [policy.Statement ?? []].flat().filter((s) => s.Sid === undefined || !ours.has(s.Sid));
}

function merged(ours: PolicyStatement[], theirs: PolicyStatement[], bucket: string): PolicyDocument {
  try {
    return mergePolicy(ours, theirs);
  } catch (e) {
    if (!(e instanceof PolicyConflictError)) throw e;
    const clashing = theirs.filter((s) => ours.some((o) => o.Sid !== undefined && o.Sid === s.Sid));
    throw new ProtectError(
      `bucket ${bucket}: its policy has statements whose Sid bucketwarden uses; rename them and run protect again:\n` +
        clashing.map((s) => `  ${JSON.stringify(s)}`).join("\n"),
      { cause: e },
    );
  }
}

/** Steps 1 to 3 of the adoption; returns one line per step. The caller starts the backlog scan. */
export async function protectBucket(deps: ProtectDeps, bucket: string, strict: boolean): Promise<string[]> {
  const { owner, buckets } = deps;
  if ([buckets.definitionsBucket, buckets.probeBucket].includes(bucket))
    throw new ProtectError(`${bucket} is one of the pipeline's own buckets`);
  try {
    await owner.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const code = statusOf(e);
    throw new ProtectError(
      code === 404
        ? `there is no bucket ${bucket} in the local store; create it as the owner (credentials under "owner" in .local/pipeline.json)`
        : `bucket ${bucket} cannot be read as the store's owner (HTTP ${code ?? "error"}); only the owner's buckets can be adopted`,
      { cause: e },
    );
  }
  const all = adoptedBucketStatements(buckets, bucket, { rule: true, preExistingReadable: true });
  const ours = new Set(all.flatMap((s) => (s.Sid ? [s.Sid] : [])));
  const theirs = await userStatements(deps, bucket, ours);
  const steps: string[] = [];

  const grants = adoptedBucketStatements(buckets, bucket, { rule: false, preExistingReadable: false });
  await owner.send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(merged(grants, theirs, bucket)) }),
  );
  // The store adds an entry beside the bucket's own ones (by Id), so those stay as they were.
  await owner.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        TopicConfigurations: [
          { Id: entryId(deps.topic.name, bucket), TopicArn: deps.topic.arn, Events: [...SCAN_EVENTS] },
        ],
      },
    }),
  );
  deps.remember(bucket);
  steps.push(
    `1/4 scanner granted on ${bucket} and notifications on: new uploads are scanned (${theirs.length} policy statement(s) of the bucket kept)`,
  );

  // The marker works within its invocation's time budget and says where to go on.
  const totals: Record<string, number> = {};
  let continuation: MarkContinuation | undefined;
  for (;;) {
    const r = await deps.mark({
      bucketwarden: MARK_PRE_EXISTING,
      bucket,
      mode: strict ? "strict" : "readable-until-scanned",
      ...(continuation ? { continuation } : {}),
    });
    for (const [k, v] of Object.entries(r.counts)) totals[k] = (totals[k] ?? 0) + v;
    if (r.done || !r.continuation) break;
    continuation = r.continuation;
  }
  const counted = Object.entries(totals)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  steps.push(
    strict
      ? `2/4 strict: unverified verdict tags removed (${counted || "nothing to do"})`
      : `2/4 pre-existing versions marked pending (${counted || "nothing to do"})`,
  );

  const rule = adoptedBucketStatements(buckets, bucket, { rule: true, preExistingReadable: !strict });
  await owner.send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(merged(rule, theirs, bucket)) }),
  );
  steps.push(
    strict
      ? "3/4 access rule applied (strict): every object without a verdict is unreadable until scanned"
      : "3/4 access rule applied: pending objects stay readable until their verdict; new uploads until scanned",
  );
  steps.push("4/4 backlog scan started");
  return steps;
}
