/**
 * What the pack sees of a program run under mocks: the components engineer's recorder
 * (tests/support/pulumi-mocks.ts) keeps each resource's inputs, the mock's outputs, parent and
 * dependency URNs; this turns them into the records a stack policy is built from.
 *
 * `preview` emulates a first `pulumi preview` of the stack: nothing exists yet, so every output
 * the provider computes (ARNs, ids, names made from a prefix) is unknown, and so is every input
 * computed from another resource. That is the worst case a rule meets during preview.
 */
import type { RecordedResource } from "../../support/pulumi-mocks";
import { type ResourceRecord, UNKNOWN } from "./policy-resources";

// Assets and archives hold promises; what a policy sees of them is plain JSON.
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value ?? {}));
}

export function recordedStack(resources: readonly RecordedResource[], options: { preview?: boolean } = {}) {
  return resources.map((r): ResourceRecord => {
    const inputs = plain(r.inputs);
    let props = plain(r.state);
    if (options.preview && r.custom) {
      props = { ...inputs };
      for (const key of Object.keys(props)) {
        if ((r.propertyDependencies[key] ?? []).length > 0) props[key] = UNKNOWN;
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
