/**
 * Resource tags: the AWS tags a user puts on everything a component creates (cost allocation,
 * ownership). Unrelated to the object-verdict tags the scanner writes on uploads (`verdictTags`).
 */
import * as pulumi from "@pulumi/pulumi";
import { TaggableResourceTypes } from "./types";

/** AWS resource tags, key to value. */
export type ResourceTags = pulumi.Input<Record<string, pulumi.Input<string>>>;

const taggable: ReadonlySet<string> = new Set(Object.values(TaggableResourceTypes));

/**
 * The component's options with `tags` added to every taggable AWS resource created beneath it. A
 * transformation, so a resource added to a component later is tagged without being told, and nested
 * components inherit it: a resource's own tags, and those of a nearer component, win over these.
 * The legacy `transformations` option, not `transforms`: it runs in-process, so it behaves the same
 * on every engine and under the test mocks.
 */
export function withResourceTags(
  opts: pulumi.ComponentResourceOptions | undefined,
  tags: ResourceTags | undefined,
): pulumi.ComponentResourceOptions | undefined {
  if (tags === undefined) return opts;
  const tagResource: pulumi.ResourceTransformation = ({ type, props, opts: resourceOpts }) => {
    if (!taggable.has(type)) return undefined;
    const merged = pulumi
      .all([pulumi.output(tags), pulumi.output(props.tags ?? {})])
      .apply(([given, own]) => ({ ...given, ...own }) as Record<string, string>);
    return { props: { ...props, tags: merged }, opts: resourceOpts };
  };
  return { ...opts, transformations: [...(opts?.transformations ?? []), tagResource] };
}
