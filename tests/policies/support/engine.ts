/**
 * The pack's rules run by @pulumi/policy's own AnalyzeStack handler, the code the Pulumi CLI talks
 * to: resources arrive as protobuf, props are deserialized and wrapped in the unknown-checking
 * proxy, and an escaping UnknownValueError becomes the advisory "can't run policy ... during
 * preview". What comes back is what `pulumi preview --policy-pack` would print.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { toAnalyzerResource } from "./analyzer-resource";
import { packRequire } from "./pack-modules";
import type { ResourceRecord } from "./policy-resources";

// Internal modules of @pulumi/policy and @pulumi/pulumi, untyped: describe the little used here.
type Message = Record<string, (...args: unknown[]) => unknown> & { [k: string]: unknown };
interface AnalyzerProto {
  AnalyzeStackRequest: new () => Message;
  EnforcementLevel: Record<string, number>;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const server = packRequire("@pulumi/policy/server") as {
  makeAnalyzeStackRpcFun(
    name: string,
    version: string,
    level: string,
    policies: StackValidationPolicy[],
  ): (call: { request: Message }, cb: (err: unknown, resp?: Message) => void) => Promise<void>;
};
const proto = packRequire("@pulumi/pulumi/proto/analyzer_pb") as AnalyzerProto;

export interface Diagnostic {
  policyName: string;
  message: string;
  urn: string;
  enforcementLevel: "advisory" | "mandatory" | "other";
}

/** Runs `policies` over `records` exactly as the policy server does during a preview or update. */
export async function analyzeStack(
  policies: StackValidationPolicy[],
  records: readonly ResourceRecord[],
): Promise<Diagnostic[]> {
  const request = new proto.AnalyzeStackRequest();
  request.setResourcesList(records.map(toAnalyzerResource));
  const analyze = server.makeAnalyzeStackRpcFun("bucketwarden", "0.1.0", "advisory", policies);
  const response = await new Promise<Message>((resolve, reject) => {
    analyze({ request }, (err, resp) => (err || resp === undefined ? reject(err) : resolve(resp)));
  });
  const levels = proto.EnforcementLevel;
  return (response.getDiagnosticsList() as Message[]).map((d) => ({
    policyName: d.getPolicyname() as string,
    message: d.getMessage() as string,
    urn: d.getUrn() as string,
    enforcementLevel:
      d.getEnforcementlevel() === levels.MANDATORY
        ? "mandatory"
        : d.getEnforcementlevel() === levels.ADVISORY
          ? "advisory"
          : "other",
  }));
}
