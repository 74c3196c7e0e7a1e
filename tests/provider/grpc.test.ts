/**
 * The plugin package, without the Pulumi CLI: the provider is started as Pulumi's Node.js language
 * host starts a plugin (its run-plugin script, given the plugin folder and the engine's address),
 * the port it prints is dialled with gRPC, and GetSchema and Construct are called as the engine calls
 * them. Construct's resources go to a resource monitor served here over gRPC, which answers as the
 * component tests' mocks do; the graph it records must be the one the TypeScript component registers.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as providerrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerproto from "@pulumi/pulumi/proto/provider_pb";
import * as resourcerpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourceproto from "@pulumi/pulumi/proto/resource_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type * as Components from "../../components";
import { ComponentTypes } from "../../components/types";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { installPulumiMocks, type PulumiRecorder } from "../support/pulumi-mocks";

const ROOT = path.resolve(__dirname, "../..");
const RUN_PLUGIN = path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-plugin");
const PROJECT = "bucketwarden";
const STACK = "plugin-test";

// biome-ignore lint/suspicious/noExplicitAny: the mock monitor's methods take and answer protobuf messages.
type Unary = (request: any, callback: (err: unknown, response?: any) => void) => unknown;
// biome-ignore lint/suspicious/noExplicitAny: likewise for the services' handlers.
type Handler = grpc.handleUnaryCall<any, any>;

/** A gRPC server on a free local port. */
async function serve(add: (server: grpc.Server) => void): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  add(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

/**
 * The engine's resource monitor, over gRPC: each call goes to the mock monitor installed in this
 * process (Pulumi's MockMonitor, wrapped by the component tests' recorder), so a resource the provider
 * registers is answered and recorded as one the TypeScript component registers here.
 */
function monitorService(): Record<string, Handler> {
  // The monitor installed now: a test that installs fresh mocks gets its calls.
  const current = () => pulumi.runtime.getMonitor() as unknown as Record<string, Unary>;
  const delegate =
    (method: string, wrap?: (response: unknown) => unknown): Handler =>
    (call, callback) => {
      const monitor = current();
      monitor[method].call(monitor, call.request, (err: unknown, response?: unknown) =>
        err ? callback(err as grpc.ServiceError) : callback(null, wrap ? wrap(response) : response),
      );
    };
  const empty = () => new Empty();
  return {
    registerResource: delegate("registerResource"),
    registerResourceOutputs: delegate("registerResourceOutputs", empty),
    readResource: delegate("readResource"),
    invoke: delegate("invoke"),
    registerPackage: delegate("registerPackage"),
    registerStackTransform: delegate("registerStackTransform", empty),
    getDeploymentInfo: delegate("getDeploymentInfo"),
    // MockMonitor answers a plain object; the wire needs the message.
    supportsFeature: (call, callback) => {
      const id = (call.request as resourceproto.SupportsFeatureRequest).getId();
      callback(null, new resourceproto.SupportsFeatureResponse().setHassupport(id !== "outputValues"));
    },
    signalAndWaitForShutdown: (_call, callback) => callback(null, new Empty()),
    // Unused by the components; present so a call fails loudly rather than as UNIMPLEMENTED.
    call: (_call, callback) => callback(new Error("unexpected Call")),
  };
}

/** The engine's own service: the provider logs through it. */
function engineService(logs: string[]): Record<string, Handler> {
  return {
    log: (call, callback) => {
      logs.push((call.request as engineproto.LogRequest).getMessage());
      callback(null, new Empty());
    },
    getRootResource: (_call, callback) => callback(null, new engineproto.GetRootResourceResponse()),
    setRootResource: (_call, callback) => callback(null, new engineproto.SetRootResourceResponse()),
  };
}

/** Starts the plugin as the language host does and resolves with the port it prints. */
function startPlugin(engineAddress: string): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, [RUN_PLUGIN, path.join(ROOT, "provider"), engineAddress], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const port = new Promise<number>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && /^\d+$/.test(line.trim())) resolve(Number(line.trim()));
    });
    child.on("exit", (code) =>
      reject(new Error(`the plugin exited (${code}) before printing a port: ${stderr}`)),
    );
  });
  return { child, port };
}

function unary<Req, Res>(
  client: grpc.Client,
  method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, (err: grpc.ServiceError | null, res: Res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}

/** Type and name of each registered resource, and its parent's type: the graph both paths must share. */
function graph(rec: PulumiRecorder): string[] {
  const typeOf = (urn: string) => (urn ? (urn.split("::")[2] ?? "").split("$").pop() : "");
  return rec.resources.map((r) => `${r.type} ${r.name} <- ${typeOf(r.parent)}`).sort();
}

describe("provider: the plugin package over gRPC", function () {
  // Starting Node with ts-node and loading @pulumi/aws takes a while on a shared machine.
  this.timeout(240_000);

  let rec: PulumiRecorder;
  let child: ChildProcess;
  let client: providerrpc.ResourceProviderClient;
  const servers: grpc.Server[] = [];
  const logs: string[] = [];
  let monitorAddress: string;

  before(async () => {
    rec = installPulumiMocks({ project: PROJECT, stack: STACK });
    const monitor = await serve((s) => s.addService(resourcerpc.ResourceMonitorService, monitorService()));
    const engine = await serve((s) => s.addService(enginerpc.EngineService, engineService(logs)));
    servers.push(monitor.server, engine.server);
    monitorAddress = monitor.address;
    const plugin = startPlugin(engine.address);
    child = plugin.child;
    const port = await plugin.port;
    client = new providerrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
    for (const s of servers) s.forceShutdown();
  });

  describe("GetSchema", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the schema is JSON.
    let schema: any;
    before(async () => {
      const res = await unary<providerproto.GetSchemaRequest, providerproto.GetSchemaResponse>(
        client,
        client.getSchema,
        new providerproto.GetSchemaRequest(),
      );
      schema = JSON.parse(res.getSchema());
    });

    it("names the package bucketwarden and serves the three components", () => {
      assert.equal(schema.name, "bucketwarden");
      assert.deepEqual(Object.keys(schema.resources).sort(), [
        ComponentTypes.DefinitionsStore,
        ComponentTypes.MalwareScanning,
        ComponentTypes.UploadScanner,
      ]);
      for (const r of Object.values(schema.resources) as Array<{ isComponent: boolean }>)
        assert.equal(r.isComponent, true);
    });

    it("gives MalwareScanning's inputs their types and descriptions", () => {
      const inputs = schema.resources[ComponentTypes.MalwareScanning].inputProperties;
      assert.equal(inputs.bucketNames.type, "array");
      assert.equal(inputs.bucketNames.items.type, "string");
      assert.match(
        inputs.buckets.items.$ref,
        /\/aws\/v[\d.]+\/schema\.json#\/resources\/aws:s3%2Fbucket:Bucket$/,
      );
      assert.equal(inputs.uploadBuckets.additionalProperties.$ref, "#/types/bucketwarden:index:UploadBucket");
      assert.equal(inputs.scanner.$ref, "#/types/bucketwarden:index:Scanner");
      assert.equal(inputs.adoptExistingBuckets.type, "boolean");
      for (const [name, p] of Object.entries(inputs) as Array<[string, { description?: string }]>)
        assert.ok(p.description && p.description.length > 10, `${name} has no description`);
      assert.deepEqual(schema.resources[ComponentTypes.MalwareScanning].requiredInputs, []);
    });

    it("gives the nested argument types their fields, typed and described", () => {
      const scanner = schema.types["bucketwarden:index:Scanner"].properties;
      assert.equal(scanner.memoryMb.type, "number");
      assert.match(scanner.memoryMb.description, /clamd/);
      assert.equal(scanner.verdictTags.$ref, "#/types/bucketwarden:index:VerdictTags");
      assert.equal(schema.types["bucketwarden:index:VerdictTags"].properties.key.type, "string");
      const bucket = schema.types["bucketwarden:index:UploadBucket"].properties;
      assert.equal(bucket.newBucket.$ref, "#/types/bucketwarden:index:NewUploadBucket");
      assert.equal(bucket.existingBucketName.type, "string");
      const definitions = schema.types["bucketwarden:index:Definitions"].properties;
      assert.equal(definitions.schedule.type, "string");
      assert.match(definitions.schedule.description, /hourly/);
      for (const [t, def] of Object.entries(schema.types) as Array<[string, { properties: object }]>)
        for (const [name, p] of Object.entries(def.properties) as Array<[string, { description?: string }]>)
          assert.ok(p.description, `${t}.${name} has no description`);
    });

    it("gives MalwareScanning's outputs as strings and string maps", () => {
      const outputs = schema.resources[ComponentTypes.MalwareScanning].properties;
      assert.equal(outputs.definitionsBucketName.type, "string");
      assert.equal(outputs.uploadBucketNames.type, "object");
      assert.equal(outputs.uploadBucketNames.additionalProperties.type, "string");
      assert.deepEqual(Object.keys(outputs).sort(), [
        "definitionsBucketName",
        "scannerFunctionNames",
        "updaterFunctionName",
        "uploadBucketNames",
        "uploadBucketPolicies",
      ]);
      assert.match(outputs.uploadBucketPolicies.description, /policy/);
    });

    it("requires UploadScanner's definitions, given as plain values", () => {
      const scanner = schema.resources[ComponentTypes.UploadScanner];
      assert.deepEqual(scanner.requiredInputs, ["definitions"]);
      assert.equal(scanner.inputProperties.definitions.$ref, "#/types/bucketwarden:index:DefinitionsSource");
      const source = schema.types["bucketwarden:index:DefinitionsSource"];
      assert.deepEqual(source.required, ["bucketArn", "bucketName", "prefix"]);
      assert.ok(scanner.inputProperties.memoryMb, "the shared scanner settings are UploadScanner's too");
    });

    it("depends on the aws package its bucket references name", () => {
      assert.deepEqual(
        schema.dependencies.map((d: { name: string }) => d.name),
        ["aws"],
      );
    });
  });

  describe("Construct", () => {
    let fromPlugin: string[];
    let response: providerproto.ConstructResponse;

    before(async () => {
      rec.reset();
      const inputs = { uploadBuckets: { photos: { newBucket: {} } }, namePrefix: "plugin" };
      const request = new providerproto.ConstructRequest()
        .setProject(PROJECT)
        .setStack(STACK)
        .setMonitorendpoint(monitorAddress)
        .setType(ComponentTypes.MalwareScanning)
        .setName("scanning")
        .setDryrun(false)
        .setParallel(4)
        .setInputs(Struct.fromJavaScript(await rpc.serializeProperties("inputs", inputs)));
      response = await unary(client, client.construct, request);
      await rec.settle();
      fromPlugin = graph(rec);
    });

    it("answers the component's URN and its outputs", () => {
      assert.equal(
        response.getUrn(),
        `urn:pulumi:${STACK}::${PROJECT}::${ComponentTypes.MalwareScanning}::scanning`,
      );
      const state = rpc.deserializeProperties(response.getState() as Struct);
      assert.deepEqual(Object.keys(state.uploadBucketNames), ["photos"]);
      assert.match(state.scannerFunctionNames.photos, /^scanning-photos-scanner/);
      assert.ok(JSON.parse(state.uploadBucketPolicies.photos).Statement.length > 0);
      assert.equal(typeof state.definitionsBucketName, "string");
    });

    it("registers the graph the TypeScript component registers under mocks", async () => {
      assert.ok(fromPlugin.length > 30, `only ${fromPlugin.length} resources: ${logs.join("\n")}`);
      const ts = installPulumiMocks({ project: PROJECT, stack: STACK });
      const { MalwareScanning }: typeof Components = require("../../components");
      new MalwareScanning("scanning", { uploadBuckets: { photos: { newBucket: {} } }, namePrefix: "plugin" });
      await ts.settle();
      assert.deepEqual(fromPlugin, graph(ts));
    });

    it("takes a bucket resource of the caller's program by reference, and names the scanner after it", async () => {
      // The caller's bucket, registered with the engine (this process's mock monitor) first.
      rec = installPulumiMocks({ project: PROJECT, stack: STACK });
      const aws: typeof import("@pulumi/aws") = require("@pulumi/aws");
      const photos = new aws.s3.Bucket("caller-photos", { bucket: "acme-caller-photos" });
      await rec.settle();
      const request = new providerproto.ConstructRequest()
        .setProject(PROJECT)
        .setStack(STACK)
        .setMonitorendpoint(monitorAddress)
        .setType(ComponentTypes.MalwareScanning)
        .setName("by-reference")
        .setInputs(
          Struct.fromJavaScript(
            await rpc.serializeProperties("inputs", { buckets: [photos], backlogScanning: false }),
          ),
        );
      const res = await unary<providerproto.ConstructRequest, providerproto.ConstructResponse>(
        client,
        client.construct,
        request,
      );
      const state = rpc.deserializeProperties(res.getState() as Struct);
      assert.deepEqual(state.uploadBucketNames, { "caller-photos": "acme-caller-photos" });
      const notification = rec.resources.find(
        (r) =>
          r.type === "aws:s3/bucketNotification:BucketNotification" && r.name.startsWith("by-reference-"),
      );
      assert.equal(notification?.inputs.bucket, "acme-caller-photos");
    });

    it("builds an UploadScanner reading a store's definitions as the TypeScript component does", async () => {
      rec = installPulumiMocks({ project: PROJECT, stack: STACK });
      const definitions = {
        bucketName: "acme-definitions",
        bucketArn: "arn:aws:s3:::acme-definitions",
        prefix: "clamav/",
      };
      const request = new providerproto.ConstructRequest()
        .setProject(PROJECT)
        .setStack(STACK)
        .setMonitorendpoint(monitorAddress)
        .setType(ComponentTypes.UploadScanner)
        .setName("alone")
        .setInputs(
          Struct.fromJavaScript(
            await rpc.serializeProperties("inputs", {
              newBucket: {},
              definitions,
              trigger: "direct",
              verdictTags: { key: "Verdict" },
            }),
          ),
        );
      const res = await unary<providerproto.ConstructRequest, providerproto.ConstructResponse>(
        client,
        client.construct,
        request,
      );
      await rec.settle();
      const fromPlugin = graph(rec);
      const state = rpc.deserializeProperties(res.getState() as Struct);
      assert.match(state.policy, /Verdict/);
      assert.equal(state.queueUrl, undefined, "the direct trigger has no queue");

      const ts = installPulumiMocks({ project: PROJECT, stack: STACK });
      const { UploadScanner }: typeof Components = require("../../components");
      new UploadScanner("alone", {
        newBucket: {},
        definitions,
        trigger: "direct",
        verdictTags: { ...DEFAULT_TAG_SCHEMA, key: "Verdict" },
      });
      await ts.settle();
      assert.ok(fromPlugin.length > 10, `only ${fromPlugin.length} resources`);
      assert.deepEqual(fromPlugin, graph(ts));
    });

    it("refuses what the TypeScript component refuses, naming the argument", async () => {
      const request = new providerproto.ConstructRequest()
        .setProject(PROJECT)
        .setStack(STACK)
        .setMonitorendpoint(monitorAddress)
        .setType(ComponentTypes.MalwareScanning)
        .setName("refused")
        .setInputs(
          Struct.fromJavaScript(
            await rpc.serializeProperties("inputs", {
              uploadBuckets: { photos: { newBucket: {} } },
              scanner: { memoryMb: 256 },
            }),
          ),
        );
      await assert.rejects(unary(client, client.construct, request), /memoryMb: must be at least/);
    });
  });
});
