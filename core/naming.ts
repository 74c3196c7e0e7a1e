/**
 * Names of the resources the components create. Pure, so the policy pack and the tests can predict
 * them. Logical names (in URNs) are derived from the component's name; physical names come from
 * Pulumi's autonaming, except where AWS has no autonaming (layers) or rejects what it would make
 * (bucket names must be lowercase).
 */
import { createHash } from "node:crypto";
import type { LambdaArchitecture, LayerKind } from "./layer-layout";

/** The logical name of a child resource: the parent's name and the child's role, joined by dashes. */
export function childName(parent: string, ...parts: string[]): string {
  return [parent, ...parts].join("-");
}

/**
 * `name` cut to `max` characters, keeping it unique with a short hash of the whole name. Used for
 * resources whose physical name is the logical name plus Pulumi's 8-character random suffix and
 * whose AWS limit is tight (IAM roles and Lambda functions: 64).
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** AWS's limits on the names Pulumi generates from logical names, by resource kind. */
export const AWS_NAME_LIMITS = {
  function: 64,
  role: 64,
  rolePolicy: 128,
  eventRule: 64,
  queue: 80,
  permission: 100,
} as const;

/**
 * A logical name whose autonamed physical name (the name, a dash and 7 random characters) fits the
 * AWS limit of `kind`: long stack names and existing bucket names would otherwise fail at deploy.
 */
export function autonamed(name: string, kind: keyof typeof AWS_NAME_LIMITS): string {
  return fitName(name, AWS_NAME_LIMITS[kind] - 8);
}

/** Where a role lives: IAM role names are unique per account, so two of these must never share one. */
export interface RoleScope {
  /** The Pulumi project. */
  project: string;
  /** The Pulumi stack. */
  stack: string;
  /** The AWS region the stack deploys to. */
  region: string;
}

/** Length of the scope hash a role name ends with. */
const ROLE_SCOPE_HASH_LENGTH = 8;

/**
 * The explicit physical name of a role whose ARN must be known before the role exists (the scanner's,
 * which the bucket policy names). Deterministic, so the ARN is known at preview; and, because IAM role
 * names are global to the account (not per region), it ends with a hash of the project, stack, region
 * and logical name, so the same program in a second region, project or stack of the account gets a
 * role of its own. Within IAM's 64 characters: a long logical name is cut before the hash.
 */
export function roleName(name: string, scope: RoleScope): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([scope.project, scope.stack, scope.region, name]))
    .digest("hex")
    .slice(0, ROLE_SCOPE_HASH_LENGTH);
  const room = AWS_NAME_LIMITS.role - ROLE_SCOPE_HASH_LENGTH - 1;
  const base = name.length <= room ? name : name.slice(0, room).replace(/-+$/, "");
  return `${base}-${hash}`;
}

/** A role's ARN from known parts, as IAM forms it: `arn:<partition>:iam::<account>:role<path><name>`. */
export function roleArn(partition: string, accountId: string, name: string, path = "/"): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}

/** AWS's limit on a bucket prefix, so that its generated suffix still fits in 63 characters. */
export const BUCKET_PREFIX_MAX = 37;

/** A bucket name prefix from any name: bucket names allow lowercase letters, digits, dots and dashes. */
export function bucketPrefix(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+/, "");
  const cut = safe.slice(0, BUCKET_PREFIX_MAX - 1).replace(/-+$/, "");
  return `${cut === "" ? "bucket" : cut}-`;
}

/** Where a created upload bucket lives: bucket names are global to all of S3, so the account is part of it. */
export interface BucketScope extends RoleScope {
  accountId: string;
}

/** Length of the hash a created upload bucket's name ends with. */
const BUCKET_SCOPE_HASH_LENGTH = 12;

/**
 * The physical name of an upload bucket the component creates: its prefix (see {@link bucketPrefix})
 * and a hash of account, region, project, stack and logical name. Deterministic, so the bucket policy
 * that names the bucket is known during a first preview (an autonamed bucket's name is not, and the
 * pack's mandatory rules could only advise); the account in the hash keeps it unique across S3, the
 * rest keeps stacks, regions and projects of one account apart. At most 37 + 12 = 49 characters.
 */
export function uploadBucketName(name: string, scope: BucketScope): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([scope.accountId, scope.region, scope.project, scope.stack, name]))
    .digest("hex")
    .slice(0, BUCKET_SCOPE_HASH_LENGTH);
  return `${bucketPrefix(name)}${hash}`;
}

/**
 * A Lambda layer's name. Layers have no autonaming; the name is shared by every version, so it
 * carries the component's prefix to keep stacks in one account apart.
 */
export function layerName(prefix: string, kind: LayerKind, arch: LambdaArchitecture): string {
  return fitName(`${prefix}-${kind}-${arch}`.replace(/[^A-Za-z0-9_-]+/g, "-"), 140);
}

/**
 * Why `name` cannot name an upload bucket inside a stack (it becomes part of resource names), or
 * `undefined` when it can.
 */
export function uploadNameProblem(name: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    return "must start with a lowercase letter and hold only lowercase letters, digits and dashes";
  if (name.length > 24) return "must be at most 24 characters long";
  return undefined;
}

/** Why `name` cannot be an S3 bucket name, or `undefined` when it can. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return "may hold only lowercase letters, digits, dots and dashes, and must start and end with a letter or digit";
  if (name.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(name))
    return "must not contain two dots in a row or look like an IP address";
  return undefined;
}

/** The name under which an existing bucket's resources are created: the bucket name, dots as dashes. */
export function existingBucketKey(bucketName: string): string {
  return bucketName.replace(/\./g, "-");
}

/**
 * The program's name for a stack's pipeline. Stack names may hold dots and capitals, which Lambda
 * function and SQS queue names (autonamed from this) refuse.
 */
export function stackComponentName(stack: string): string {
  return `bucketwarden-${stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
}
