/**
 * Reading a recorded resource graph: the policy documents, archive paths and relationships the
 * component tests assert on.
 */

import { ManagedResourceTypes as T } from "../../components/types";
import type { PolicyDocument } from "../../core/access-rule";
import type { PulumiRecorder, RecordedResource } from "../support/pulumi-mocks";

/** A resource's `policy` input, parsed. */
export function policyOf(r: RecordedResource): PolicyDocument {
  return JSON.parse(r.inputs.policy);
}

/** The path of an archive or asset input (its `path` is a promise under mocks, nothing is read). */
export async function archivePath(archive: { path: string | Promise<string> }): Promise<string> {
  return await archive.path;
}

/** The component (by type and name) and everything under it. */
export function componentTree(rec: PulumiRecorder, type: string, name: string): RecordedResource[] {
  return rec.subtree(rec.one(type, name).urn);
}

/**
 * `componentTree` without an adopted bucket's adoption function (its function, role, role policy, log
 * group and invocation; tests/components/adoption.test.ts covers those), so that a scanner's tree
 * holds one function, as it does for a created bucket.
 */
export function scannerTree(rec: PulumiRecorder, type: string, name: string): RecordedResource[] {
  return componentTree(rec, type, name).filter((r) => !/-adoption(-|$)/.test(r.name));
}

/** The resources of `type` within `tree`. */
export function within(tree: RecordedResource[], type: string): RecordedResource[] {
  return tree.filter((r) => r.type === type);
}

/** The only resource of `type` within `tree`. */
export function onlyWithin(tree: RecordedResource[], type: string): RecordedResource {
  const hits = within(tree, type);
  if (hits.length !== 1) throw new Error(`expected one ${type}, found ${hits.length}`);
  return hits[0];
}

/** The role policy attached to the role a function runs as. */
export function rolePolicyOfFunction(tree: RecordedResource[], fn: RecordedResource): PolicyDocument {
  const role = within(tree, T.role).find((r) => r.state.arn === fn.inputs.role);
  if (!role) throw new Error(`no role ${fn.inputs.role}`);
  const attached = within(tree, T.rolePolicy).find((p) => p.inputs.role === role.state.name);
  if (!attached) throw new Error(`no policy for role ${role.state.name}`);
  return policyOf(attached);
}

/** True when `r` waits for `dependency` (dependsOn or an input computed from it). */
export function dependsOn(r: RecordedResource, dependency: RecordedResource): boolean {
  return r.dependencies.includes(dependency.urn);
}

/** True when `r` waits for `dependency`, directly or through a chain of dependencies within `tree`. */
export function waitsFor(
  tree: RecordedResource[],
  r: RecordedResource,
  dependency: RecordedResource,
): boolean {
  const byUrn = new Map(tree.map((t) => [t.urn, t]));
  const seen = new Set<string>();
  const queue = [...r.dependencies];
  while (queue.length > 0) {
    const urn = queue.shift() as string;
    if (urn === dependency.urn) return true;
    if (seen.has(urn)) continue;
    seen.add(urn);
    queue.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return false;
}
