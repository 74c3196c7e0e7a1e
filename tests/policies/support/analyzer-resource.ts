/**
 * A resource as the engine sends it to a policy pack in an AnalyzeStackRequest, for the harnesses
 * that drive the pack over the analyzer protocol (engine.ts in-process, pack-process.ts over gRPC).
 */
import { packRequire } from "./pack-modules";
import type { ResourceRecord } from "./policy-resources";

// Generated protobuf modules of @pulumi/pulumi, untyped: describe the little used here.
type Message = Record<string, (...args: unknown[]) => unknown>;
const proto = packRequire("@pulumi/pulumi/proto/analyzer_pb") as Record<string, new () => Message>;
const { Struct } = packRequire("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(v: object): unknown };
};

/** `record` as an `AnalyzerResource` message, with its parent, dependencies and property dependencies. */
export function toAnalyzerResource(record: ResourceRecord): Message {
  const resource = new proto.AnalyzerResource();
  resource.setType(record.type);
  resource.setName(record.name);
  resource.setUrn(record.urn);
  resource.setProperties(Struct.fromJavaScript(record.props));
  resource.setOptions(new proto.AnalyzerResourceOptions());
  if (record.parent !== "") resource.setParent(record.parent);
  resource.setDependenciesList(record.dependencies);
  const map = resource.getPropertydependenciesMap() as unknown as { set(k: string, v: Message): void };
  for (const [key, urns] of Object.entries(record.propertyDependencies)) {
    const deps = new proto.AnalyzerPropertyDependencies();
    deps.setUrnsList(urns);
    map.set(key, deps);
  }
  return resource;
}
