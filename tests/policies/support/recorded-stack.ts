/**
 * What the pack sees of a program run under mocks: the components engineer's recorder
 * (tests/support/pulumi-mocks.ts) keeps each resource's inputs, the mock's outputs, parent and
 * dependency URNs; this turns them into the records a stack policy is built from.
 *
 * `preview` emulates a first `pulumi preview` of the stack: nothing exists yet, so every output
 * the provider computes (ARNs, ids, names made from a prefix) is unknown, and so is every input
 * computed from another resource. That is the worst case a rule meets during preview.
 *
 * `leaves` refines that to what the engine really sends: only the values computed from another
 * resource's unknown outputs are unknown, one by one. A string built from such an output (an ARN in
 * an entry, a policy's JSON naming a bucket) is unknown whole; the rest of an array or object stays
 * known, and so does what a program computes from invokes, which preview answers.
 */
import type { RecordedResource } from "../../support/pulumi-mocks";
import { type ResourceRecord, UNKNOWN } from "./policy-resources";

// Assets and archives hold promises; what a policy sees of them is plain JSON.
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value ?? {}));
}

/** The values a resource's provider computes (unknown before it exists): outputs that are not inputs, and its id. */
function computedValues(r: RecordedResource): string[] {
  const inputs = plain(r.inputs);
  const state = plain(r.state);
  const values = Object.keys(state)
    .filter((key) => !(key in inputs))
    .map((key) => state[key]);
  // Short values ("1", a layer version) would match by accident; ARNs, names and ids are long.
  return [...values, r.id].filter((v): v is string => typeof v === "string" && v.length >= 8);
}

/** `value` with every string that embeds one of `computed` replaced by the unknown sentinel. */
function unknownLeaves(value: unknown, computed: readonly string[]): unknown {
  if (typeof value === "string") return computed.some((c) => value.includes(c)) ? UNKNOWN : value;
  if (Array.isArray(value)) return value.map((v) => unknownLeaves(v, computed));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownLeaves(v, computed)]));
  return value;
}

export function recordedStack(
  resources: readonly RecordedResource[],
  options: { preview?: boolean; leaves?: boolean } = {},
) {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources.map((r): ResourceRecord => {
    const inputs = plain(r.inputs);
    let props = plain(r.state);
    if (options.preview && r.custom) {
      props = { ...inputs };
      for (const key of Object.keys(props)) {
        const deps = r.propertyDependencies[key] ?? [];
        if (deps.length === 0) continue;
        if (!options.leaves) props[key] = UNKNOWN;
        else {
          // A component stands for every resource below it.
          const below = (urn: string): RecordedResource[] => {
            const dep = byUrn.get(urn);
            if (dep === undefined) return [];
            if (dep.custom) return [dep];
            return resources.filter((c) => c.parent === urn).flatMap((c) => below(c.urn));
          };
          const computed = deps.flatMap(below).flatMap(computedValues);
          // A dependency the record does not hold: nothing computed from it can be told known.
          props[key] = deps.some((urn) => !byUrn.has(urn)) ? UNKNOWN : unknownLeaves(props[key], computed);
        }
      }
      for (const key of Object.keys(plain(r.state))) if (!(key in inputs)) props[key] = UNKNOWN;
    }
    return {
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: r.parent,
      props,
      dependencies: r.dependencies,
      propertyDependencies: r.propertyDependencies,
    };
  });
}
