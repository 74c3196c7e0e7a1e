import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { BucketNode } from "../lib/buckets";
import { type ExemptionArgs, exemptionProperties, type ScannerArgs, scannerProperties } from "../lib/config";
import { globMatch } from "../lib/glob";
import { forUploadBuckets } from "../lib/run";
import { describe, type StackGraph, unique } from "../lib/stack";
import { traceNotification } from "../lib/triggers";
import { AwsTypes } from "../lib/types";
import { read, type UnknownValueError } from "../lib/unknowns";
import { reportBucket, uploadLabel } from "../lib/upload-buckets";

export interface UploadBucketKmsReadableArgs extends ExemptionArgs, ScannerArgs {}

/** A customer-managed key a bucket encrypts with: its ARN or id when written, its resource when in the stack. */
interface BucketKey {
  readonly label: string;
  readonly id?: string;
  readonly resource?: PolicyResource;
}

type Grant = { ok: true } | { ok: false } | { ok: "unknown"; what: string; unknown: UnknownValueError };

/**
 * An upload bucket encrypted with a customer-managed KMS key (SSE-KMS with `kmsMasterKeyId`) can be
 * scanned only if S3 may decrypt its objects for the scanner: the scanner's role needs `kms:Decrypt`
 * on that key. Without it every GetObject fails, so under fail-closed nothing in the bucket ever
 * becomes readable. Read from the stack's encryption configuration and the scanner role's inline
 * policies (`RolePolicy`); a role with managed policies attached is given the benefit of the doubt,
 * since their documents are not in the stack, and so is a bucket whose encryption the stack does not
 * set (an existing bucket: its key is the stack setting `bucketKmsKeyArns`). The AWS-managed `aws/s3`
 * key needs no grant.
 */
export const uploadBucketKmsReadable: StackValidationPolicy = {
  name: "upload-bucket-kms-readable",
  description:
    "Checks whether the scanner of every upload bucket encrypted with a customer-managed KMS key may decrypt its objects.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptionProperties, ...scannerProperties } },
  validateStack: (stack, reportViolation) =>
    forUploadBuckets<UploadBucketKmsReadableArgs>(
      stack,
      reportViolation,
      ({ args, graph, uploads, findings }) => {
        for (const bucket of uploads) {
          const keys = customerKeys(graph, bucket.node, (what, unknown) =>
            findings.undecidable(what, unknown),
          );
          if (keys.length === 0 || bucket.node.notifications.length !== 1) continue;
          const scanners = unique(
            traceNotification(graph, bucket.node.notifications[0], args)
              .flatMap((e) => e.routes)
              .filter((r) => r.verdict.kind === "scanner")
              .map((r) => r.fn),
          );
          for (const fn of scanners)
            for (const key of keys) {
              const grant = decryptGrant(graph, fn, key);
              const must = `${uploadLabel(bucket.node)} must let its scanner decrypt its objects`;
              if (grant.ok === "unknown")
                findings.undecidable(`${must}: ${grant.what} is unknown`, grant.unknown);
              else if (!grant.ok)
                reportBucket(
                  findings,
                  bucket,
                  `${must}: it is encrypted with KMS key ${key.label}, and the role of ${describe(fn)} has no kms:Decrypt on it`,
                );
            }
        }
      },
    ),
};

const AWS_MANAGED = /^(alias\/aws\/s3|arn:aws[a-z-]*:kms:[^:]+:\d+:alias\/aws\/s3)$/;

function customerKeys(
  graph: StackGraph,
  node: BucketNode,
  undecided: (what: string, unknown: UnknownValueError) => void,
): BucketKey[] {
  const keys: BucketKey[] = [];
  for (const config of node.encryptions) {
    const rules = read(() => {
      const list = config.props.rules;
      return (Array.isArray(list) ? list : []).map((r) => r?.applyServerSideEncryptionByDefault);
    });
    if (!rules.known) {
      undecided(`the rules of ${describe(config)}`, rules.unknown);
      continue;
    }
    for (let i = 0; i < rules.value.length; i++) {
      const algorithm = read(() => rules.value[i]?.sseAlgorithm);
      if (algorithm.known && !(typeof algorithm.value === "string" && algorithm.value.startsWith("aws:kms")))
        continue;
      const id = read(() => rules.value[i]?.kmsMasterKeyId);
      if (id.known) {
        if (typeof id.value === "string" && id.value !== "" && !AWS_MANAGED.test(id.value))
          keys.push({ label: `"${id.value}"`, id: id.value });
        continue;
      }
      // A key of the stack, not created yet: known by the dependency on it.
      const inStack = graph.targets(config, "rules", [AwsTypes.kmsKey]);
      if (inStack.length > 0) keys.push(...inStack.map((k) => ({ label: describe(k), resource: k })));
      else undecided(`the KMS key of ${describe(config)}`, id.unknown);
    }
  }
  return keys;
}

/** The roles `fn` runs as: through the dependency, or by the ARN (or the name in it) written in its `role`. */
function rolesOf(graph: StackGraph, fn: PolicyResource): { roles: PolicyResource[]; arn?: string } {
  const byDependency = graph.targets(fn, "role", [AwsTypes.role]);
  const arn = read(() => fn.props.role);
  if (!arn.known || typeof arn.value !== "string") return { roles: byDependency };
  const name = arn.value.split("/").pop();
  const byValue = graph
    .ofType([AwsTypes.role])
    .filter((r) => read(() => r.props.arn).known && r.props.arn === arn.value);
  const byName = graph.ofType([AwsTypes.role]).filter((r) => {
    const n = read(() => r.props.name);
    return n.known && n.value === name;
  });
  return { roles: unique([...byDependency, ...byValue, ...byName]), arn: arn.value };
}

function decryptGrant(graph: StackGraph, fn: PolicyResource, key: BucketKey): Grant {
  const { roles } = rolesOf(graph, fn);
  if (roles.length === 0) {
    const arn = read(() => fn.props.role);
    if (!arn.known) return { ok: "unknown", what: `the role of ${describe(fn)}`, unknown: arn.unknown };
    return { ok: true }; // a role outside the stack: its policies are not ours to read
  }
  const attached = roles.flatMap((role) =>
    graph.pointingAt(role, [AwsTypes.rolePolicyAttachment], "role", "name"),
  );
  if (attached.length > 0) return { ok: true };
  const policies = unique(
    roles.flatMap((role) => graph.pointingAt(role, [AwsTypes.rolePolicy], "role", "name")),
  );
  // One known grant decides; an unknown document leaves the answer open only when no other grants.
  let open: Grant | undefined;
  for (const policy of policies) {
    const doc = read(() => policy.props.policy);
    if (!doc.known) {
      if (
        key.resource !== undefined &&
        graph.targets(policy, "policy", [AwsTypes.kmsKey]).includes(key.resource)
      )
        return { ok: true };
      open ??= { ok: "unknown", what: `the policy of ${describe(policy)}`, unknown: doc.unknown };
    } else if (typeof doc.value === "string" && grantsDecrypt(doc.value, key)) return { ok: true };
  }
  return open ?? { ok: false };
}

function asList(v: unknown): string[] {
  return typeof v === "string"
    ? [v]
    : Array.isArray(v)
      ? v.filter((x): x is string => typeof x === "string")
      : [];
}

/** An Allow of kms:Decrypt on the key (its ARN, or any ARN ending in its id); conditions such as kms:ViaService only narrow it. */
function grantsDecrypt(json: string, key: BucketKey): boolean {
  let statements: unknown;
  try {
    statements = JSON.parse(json).Statement;
  } catch {
    return false;
  }
  const list = Array.isArray(statements) ? statements : [statements];
  return list.some((s) => {
    if (s?.Effect !== "Allow") return false;
    if (!asList(s.Action).some((a) => globMatch(a, "kms:Decrypt", { ignoreCase: true }))) return false;
    return asList(s.Resource).some((pattern) => {
      if (pattern === "*") return true;
      if (key.id === undefined) return false;
      if (key.id.startsWith("arn:")) return globMatch(pattern, key.id);
      return (
        globMatch(pattern, `arn:aws:kms:region:000000000000:key/${key.id}`) ||
        pattern.endsWith(`:key/${key.id}`)
      );
    });
  });
}
