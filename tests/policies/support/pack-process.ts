/**
 * The pack as the Pulumi CLI runs it: `policies/` started by @pulumi/pulumi's own policy-pack
 * runner (which compiles it with ts-node, type-checking, from `policies/tsconfig.json`), then
 * driven over gRPC with the analyzer protocol the engine speaks. Nothing here needs the CLI.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { toAnalyzerResource } from "./analyzer-resource";
import { packRequire } from "./pack-modules";
import type { ResourceRecord } from "./policy-resources";

// Generated protobuf and gRPC modules of @pulumi/pulumi, untyped: describe the little used here.
type Message = Record<string, (...args: unknown[]) => unknown>;
type Unary = (req: unknown, cb: (err: Error | null, resp: Message) => void) => void;
interface AnalyzerClient {
  getAnalyzerInfo: Unary;
  configure: Unary;
  analyzeStack: Unary;
  close(): void;
}
const proto = require("@pulumi/pulumi/proto/analyzer_pb") as Record<string, new () => Message> & {
  EnforcementLevel: Record<string, number>;
};
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as {
  AnalyzerClient: new (addr: string, creds: unknown) => AnalyzerClient;
};
const grpc = require("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
const { Empty } = require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => Message };
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(v: object): unknown };
};

const ROOT = path.resolve(__dirname, "../../..");
// The runner the CLI starts: the pack's own @pulumi/pulumi when it has one.
const RUNNER = packRequire.resolve("@pulumi/pulumi/cmd/run-policy-pack");

export interface PolicyInfo {
  name: string;
  enforcementLevel: string;
  configProperties: string[];
}

export interface PackDiagnostic {
  policyName: string;
  message: string;
  enforcementLevel: string;
}

const LEVEL_NAMES = (): Record<number, string> =>
  Object.fromEntries(Object.entries(proto.EnforcementLevel).map(([k, v]) => [v, k.toLowerCase()]));

export class PackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
  ) {}

  /** Starts the pack in `dir` (default `policies/`) under the CLI's runner and connects to the port it prints. */
  static async start(timeoutMs: number, dir = path.join(ROOT, "policies")): Promise<PackProcess> {
    const child = spawn(process.execPath, [RUNNER, "127.0.0.1:0", "."], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no port after ${timeoutMs} ms: ${stderr}`)),
        timeoutMs,
      );
      child.stdout?.once("data", (d) => {
        clearTimeout(timer);
        resolve(Number(String(d).trim()));
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the pack exited with ${code}: ${stderr}`));
      });
    });
    const client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PackProcess(child, client);
  }

  private call(method: keyof Omit<AnalyzerClient, "close">, request: unknown): Promise<Message> {
    return new Promise((resolve, reject) =>
      this.client[method].call(this.client, request, (err, resp) => (err ? reject(err) : resolve(resp))),
    );
  }

  async info(): Promise<{ name: string; policies: PolicyInfo[] }> {
    const info = await this.call("getAnalyzerInfo", new Empty());
    const levels = LEVEL_NAMES();
    return {
      name: info.getName() as string,
      policies: (info.getPoliciesList() as Message[]).map((p) => {
        const schema = p.getConfigschema() as Message | undefined;
        const properties = schema?.getProperties() as Message | undefined;
        return {
          name: p.getName() as string,
          enforcementLevel: levels[p.getEnforcementlevel() as number],
          configProperties: Object.keys((properties?.toJavaScript() as object) ?? {}).sort(),
        };
      }),
    };
  }

  /** Sends policy configuration as `pulumi preview --policy-pack-config` would. */
  async configure(config: Record<string, { enforcementLevel?: string } & Record<string, unknown>>) {
    const request = new proto.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap() as unknown as { set(k: string, v: Message): void };
    for (const [policy, { enforcementLevel, ...properties }] of Object.entries(config)) {
      const pc = new proto.PolicyConfig();
      pc.setEnforcementlevel(proto.EnforcementLevel[(enforcementLevel ?? "advisory").toUpperCase()]);
      pc.setProperties(Struct.fromJavaScript(properties));
      map.set(policy, pc);
    }
    await this.call("configure", request);
  }

  async analyzeStack(records: readonly ResourceRecord[]): Promise<PackDiagnostic[]> {
    const request = new proto.AnalyzeStackRequest();
    request.setResourcesList(records.map(toAnalyzerResource));
    const response = await this.call("analyzeStack", request);
    const levels = LEVEL_NAMES();
    return (response.getDiagnosticsList() as Message[]).map((d) => ({
      policyName: d.getPolicyname() as string,
      message: d.getMessage() as string,
      enforcementLevel: levels[d.getEnforcementlevel() as number],
    }));
  }

  /** Stops the process this started (and only it). */
  stop(): void {
    this.client.close();
    this.child.kill("SIGTERM");
  }
}
