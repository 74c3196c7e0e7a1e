/**
 * Which bucket each bucket-level resource (policy, notification, public access block, encryption)
 * belongs to. The link is the `bucket` property's dependency on a Bucket resource, which the engine
 * records even while the name is unknown. A resource whose `bucket` is a literal name of a bucket
 * outside the stack (an existing bucket given by name) makes that bucket a node of its own, named
 * by that name, so its policy and trigger are still checked together.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { StackGraph } from "./stack";
import { AwsTypes, BUCKET_ENCRYPTION_TYPES, BUCKET_TYPES } from "./types";
import { type Known, read, type UnknownValueError } from "./unknowns";

/** A bucket and the resources that configure it. */
export interface BucketNode {
  /** How messages name the bucket: its Pulumi resource name, or its bucket name when outside the stack. */
  readonly label: string;
  /** The Bucket resource; `undefined` for a bucket outside the stack, known only by name. */
  readonly resource?: PolicyResource;
  /** The bucket's name in S3. */
  readonly name: Known<unknown>;
  /** The URN violations point at: the bucket's, or the first resource that names an outside bucket. */
  readonly urn: string;
  readonly policies: PolicyResource[];
  readonly notifications: PolicyResource[];
  readonly publicAccessBlocks: PolicyResource[];
  readonly encryptions: PolicyResource[];
}

/** A bucket-level resource whose bucket cannot be identified until the update runs. */
export interface Unattached {
  readonly resource: PolicyResource;
  readonly unknown: UnknownValueError;
}

export interface BucketIndex {
  readonly graph: StackGraph;
  /** Buckets of the stack first, then buckets outside it that the stack configures. */
  readonly buckets: BucketNode[];
  readonly unattached: Unattached[];
}

const SIDE_TYPES = [
  AwsTypes.bucketPolicy,
  AwsTypes.bucketNotification,
  AwsTypes.bucketPublicAccessBlock,
  ...BUCKET_ENCRYPTION_TYPES,
];

export function indexBuckets(graph: StackGraph): BucketIndex {
  const nodes = new Map<PolicyResource | string, BucketNode>();
  for (const r of graph.ofType(BUCKET_TYPES)) {
    nodes.set(
      r,
      newNode(
        r.name,
        r.urn,
        read(() => r.props.bucket),
        r,
      ),
    );
  }
  const unattached: Unattached[] = [];
  for (const side of graph.ofType(SIDE_TYPES)) {
    const owner = ownerOf(graph, side);
    let node: BucketNode | undefined;
    if ("resource" in owner) {
      node = nodes.get(owner.resource);
    } else if ("name" in owner) {
      node = nodes.get(owner.name);
      if (node === undefined) {
        node = newNode(owner.name, side.urn, { known: true, value: owner.name });
        nodes.set(owner.name, node);
      }
    } else {
      unattached.push({ resource: side, unknown: owner.unknown });
    }
    if (node !== undefined) sideList(node, side.type).push(side);
  }
  return { graph, buckets: [...nodes.values()], unattached };
}

/** True when the node is a bucket this stack does not manage. */
export function isOutsideStack(node: BucketNode): boolean {
  return node.resource === undefined;
}

type Owner = { resource: PolicyResource } | { name: string } | { unknown: UnknownValueError };

function ownerOf(graph: StackGraph, side: PolicyResource): Owner {
  const name = read(() => side.props.bucket);
  const candidates = graph.targets(side, "bucket", BUCKET_TYPES);
  if (candidates.length > 0) {
    const named = name.known ? candidates.find((b) => sameName(b, name.value)) : undefined;
    return { resource: named ?? candidates[0] };
  }
  if (!name.known) return { unknown: name.unknown };
  if (typeof name.value !== "string") return { name: String(name.value) };
  // A literal name of a bucket that is in the stack all the same.
  const byName = graph.ofType(BUCKET_TYPES).find((b) => sameName(b, name.value));
  return byName !== undefined ? { resource: byName } : { name: name.value };
}

// Side resources name their bucket by `bucket` or by `id` (which is the name for S3).
function sameName(bucket: PolicyResource, name: unknown): boolean {
  return ["bucket", "id"].some((field) => {
    const own = read(() => bucket.props[field]);
    return own.known && own.value !== undefined && own.value === name;
  });
}

function newNode(label: string, urn: string, name: Known<unknown>, resource?: PolicyResource): BucketNode {
  return {
    label,
    resource,
    name,
    urn,
    policies: [],
    notifications: [],
    publicAccessBlocks: [],
    encryptions: [],
  };
}

function sideList(node: BucketNode, type: string): PolicyResource[] {
  if (type === AwsTypes.bucketPolicy) return node.policies;
  if (type === AwsTypes.bucketNotification) return node.notifications;
  if (type === AwsTypes.bucketPublicAccessBlock) return node.publicAccessBlocks;
  return node.encryptions;
}
