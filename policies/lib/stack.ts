/**
 * The stack as a graph. Relationships come from the engine's dependency records, which are known
 * during preview even when the names and ARNs they carry are not; known values are used as a
 * fallback for references written as literals.
 */
import type { PolicyResource } from "@pulumi/policy";
import { knownString } from "./unknowns";

export class StackGraph {
  constructor(readonly resources: readonly PolicyResource[]) {}

  ofType(types: readonly string[]): PolicyResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  /**
   * The resources of `types` that property `prop` of `r` depends on. When the engine sent no
   * property dependencies at all for `r` (old engines), its plain dependency list stands in.
   */
  targets(r: PolicyResource, prop: string, types: readonly string[]): PolicyResource[] {
    const perProperty = r.propertyDependencies ?? {};
    const deps = Object.keys(perProperty).length > 0 ? (perProperty[prop] ?? []) : (r.dependencies ?? []);
    return unique(deps.filter((d) => types.includes(d.type)));
  }

  /** The resources of `types` whose property `prop` depends on `target`. */
  referrers(target: PolicyResource, types: readonly string[], prop: string): PolicyResource[] {
    return this.ofType(types).filter((r) => this.targets(r, prop, [target.type]).includes(target));
  }

  /** Resources of `types` whose known `field` equals `value` (a reference written as a literal). */
  withValue(types: readonly string[], fields: readonly string[], value: string): PolicyResource[] {
    return this.ofType(types).filter((r) => fields.some((f) => knownString(() => r.props[f]) === value));
  }

  /**
   * The resources of `types` whose `prop` points at `target`: through the engine's dependency record,
   * or, for a reference written as a literal, by holding `target`'s known `key` (its ARN, URL or name).
   */
  pointingAt(target: PolicyResource, types: readonly string[], prop: string, key: string): PolicyResource[] {
    const value = knownString(() => target.props[key]);
    return unique([
      ...this.referrers(target, types, prop),
      ...(value !== undefined ? this.withValue(types, [prop], value) : []),
    ]);
  }
}

/**
 * The component types `r` was created inside, outermost first. The URN carries them
 * (`urn:pulumi:stack::project::Outer$Inner$aws:s3/bucket:Bucket::name`) even when the parent
 * resource itself is not in the list the engine sent.
 */
export function enclosingTypes(r: PolicyResource): string[] {
  const parts = r.urn.split("::");
  const qualified = parts.length >= 4 ? parts[2].split("$") : [];
  return qualified.slice(0, -1);
}

/** True when `r` was created inside a component of type `componentType`. */
export function isInside(r: PolicyResource, componentType: string): boolean {
  for (let p = r.parent; p !== undefined; p = p.parent) if (p.type === componentType) return true;
  return enclosingTypes(r).includes(componentType);
}

/** How messages name a resource: its kind and its Pulumi name, e.g. `queue "uploads-scan"`. */
export function describe(r: PolicyResource): string {
  const kind = r.type.split(":").pop() ?? r.type;
  return `${kind} "${r.name}"`;
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
