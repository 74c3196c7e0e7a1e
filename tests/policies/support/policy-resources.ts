/**
 * Resources in the shape a stack policy receives them: the same steps the policy server takes
 * (props wrapped by `unknownCheckingProxy`, parent and dependencies resolved from URNs), so a rule
 * that passes here reads unknown values exactly as it would during `pulumi preview`.
 */
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { unknownCheckingProxy } from "../../../policies/lib/unknowns";

/** The value the engine sends for anything unknown during preview. */
export const UNKNOWN = unknownValue;

/** A resource before conversion: what the engine knows about it. */
export interface ResourceRecord {
  type: string;
  name: string;
  urn: string;
  /** Parent URN, or "" at the top. */
  parent: string;
  props: Record<string, unknown>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

/** Thrown by `notApplicable`, as the server's own NotApplicableError is. */
export class NotApplicableError extends Error {}

const noOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

// The engine compares the class's type token, as `isType` does for real resources.
function isOf(cls: unknown, type: string): boolean {
  return (cls as { __pulumiType?: string }).__pulumiType === type;
}

export function toPolicyResources(records: readonly ResourceRecord[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const resources = records.map((r) => {
    const props = unknownCheckingProxy(structuredClone(r.props));
    const resource: PolicyResource = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props,
      opts: r.parent === "" ? { ...noOptions } : { ...noOptions, parent: r.parent },
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isOf(cls, r.type),
      asType: (cls) => (isOf(cls, r.type) ? (props as never) : undefined),
    };
    byUrn.set(r.urn, resource);
    return resource;
  });
  const resolve = (urns: readonly string[]) =>
    urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
  records.forEach((r, i) => {
    const resource = resources[i];
    resource.parent = byUrn.get(r.parent);
    resource.dependencies = resolve(r.dependencies);
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
      resource.propertyDependencies[key] = resolve(urns);
    }
  });
  return resources;
}

/** Validation args for a stack of `records`, with the rule's configuration. */
export function stackArgs(records: readonly ResourceRecord[], config: object = {}): StackValidationArgs {
  return {
    resources: toPolicyResources(records),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicableError(reason ?? "not applicable");
    },
  };
}
