import { createHash } from "node:crypto";
/**
 * Pulumi programs and components under `pulumi.runtime.setMocks`, with every registered resource
 * recorded: type, name, resolved inputs, parent, dependencies. Shared by the component tests, the
 * program test and the policy pack's tests (which turn recorded resources into policy inputs).
 *
 * Mocks are global to the process and mocha runs every test file in one process, so each file calls
 * {@link installPulumiMocks} in its `before()`: that replaces the monitor and starts a fresh record.
 * Construct resources after it, and `await recorder.settle()` before asserting.
 */
import * as pulumi from "@pulumi/pulumi";

/** Resource properties: arbitrary JSON that tests read freely. */
// biome-ignore lint/suspicious/noExplicitAny: recorded properties are untyped JSON by nature.
export type Props = Record<string, any>;

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "us-east-1";

/** One resource as the program registered it. */
export interface RecordedResource {
  type: string;
  /** Logical name. */
  name: string;
  urn: string;
  id: string;
  /** False for component resources. */
  custom: boolean;
  /** Inputs as the provider would receive them, Outputs resolved (assets and archives stay objects). */
  inputs: Props;
  /** What the mock answered: the inputs plus derived outputs (`arn`, `name`, `bucket`, `url`, ...). */
  state: Props;
  /** The parent's URN (empty for top-level resources). */
  parent: string;
  /** URNs of the resources in `dependsOn` and those the inputs were computed from. */
  dependencies: string[];
  /** Per input property, the URNs it was computed from (what a stack policy's `propertyDependencies` shows). */
  propertyDependencies: Record<string, string[]>;
}

/** One provider function call (invoke). */
export interface RecordedInvoke {
  token: string;
  inputs: Props;
}

export interface PulumiMockOptions {
  project?: string;
  stack?: string;
  /** Stack config, `namespace:key` to string (structured values as JSON), replacing all config. */
  config?: Record<string, string>;
  /** Extra or overriding answers to invokes, by token. */
  invokes?: Record<string, (inputs: Props) => Props>;
}

/** Derived outputs of the mocked resource types, so ARNs and names look as AWS would make them. */
function derivedState(type: string, name: string, inputs: Props): Props {
  const physical = inputs.name ?? name;
  const regional = (service: string, resource: string) =>
    `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = inputs.bucket ?? `${inputs.bucketPrefix ?? `${name}-`}mock`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, id: bucket };
    }
    case "aws:iam/role:Role":
      return {
        name: physical,
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${physical}`,
        id: physical,
        // IAM's role id: new for every role created, even under an old name.
        uniqueId: `AROA${createHash("sha256").update(physical).digest("hex").slice(0, 16).toUpperCase()}`,
      };
    case "aws:lambda/function:Function":
      return {
        name: physical,
        arn: regional("lambda", `function:${physical}`),
        invokeArn: `arn:aws:apigateway:${MOCK_REGION}:lambda:path/functions/${physical}/invocations`,
      };
    case "aws:lambda/layerVersion:LayerVersion": {
      const layerArn = regional("lambda", `layer:${inputs.layerName}`);
      return { layerArn, arn: `${layerArn}:1`, version: "1" };
    }
    case "aws:sqs/queue:Queue":
      return {
        name: physical,
        arn: regional("sqs", physical),
        url: `https://sqs.${MOCK_REGION}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`,
        id: `https://sqs.${MOCK_REGION}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`,
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: physical, arn: regional("logs", `log-group:${physical}`) };
    case "aws:cloudwatch/eventRule:EventRule":
      return { name: physical, arn: regional("events", `rule/${physical}`) };
    case "aws:lambda/invocation:Invocation":
      return { result: JSON.stringify({ ok: true }) };
    default:
      return { name: physical, arn: regional(type.split(/[:/]/)[1] ?? "mock", physical) };
  }
}

/**
 * An invoke's failure as the engine reports it: the SDK rethrows a gRPC error's `details`, so a mock
 * that throws must carry them there, or the program sees an error without a message.
 */
export function invokeError(message: string): Error {
  return Object.assign(new Error(message), { details: message });
}

const DEFAULT_INVOKES: Record<string, (inputs: Props) => Props> = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: MOCK_ACCOUNT,
    arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mock`,
    userId: "AIDAMOCK",
    id: MOCK_ACCOUNT,
  }),
  "aws:index/getRegion:getRegion": () => ({ name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION }),
  "aws:index/getPartition:getPartition": () => ({
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
    id: "aws",
  }),
  // A bucket without a policy, answered as AWS's provider does: an error, not an empty policy.
  "aws:s3/getBucketPolicy:getBucketPolicy": (inputs) => {
    throw invokeError(`reading S3 Bucket (${inputs.bucket}) Policy: couldn't find resource`);
  },
};

export class PulumiRecorder {
  readonly resources: RecordedResource[] = [];
  readonly invokes: RecordedInvoke[] = [];

  /** Forgets everything recorded so far (the mocks stay installed). */
  reset(): void {
    this.resources.length = 0;
    this.invokes.length = 0;
  }

  /** Waits until every registration and invoke started so far has been answered. */
  async settle(): Promise<void> {
    // waitForRPCs is exported but not in the typings; it resolves when no RPC is outstanding.
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (runtime.waitForRPCs) await runtime.waitForRPCs();
  }

  /** Resources of one type, in registration order. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of `type` whose name matches; throws when there is none or more than one. */
  one(type: string, name?: string | RegExp): RecordedResource {
    const hits = this.ofType(type).filter(
      (r) => name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name)),
    );
    if (hits.length !== 1)
      throw new Error(
        `expected one ${type}${name ? ` named ${name}` : ""}, found ${hits.length}: ${hits.map((h) => h.name).join(", ")}`,
      );
    return hits[0];
  }

  /** The resource with this URN. */
  byUrn(urn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  /** Direct children of the resource with this URN. */
  childrenOf(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }

  /** The resource and everything below it. */
  subtree(urn: string): RecordedResource[] {
    const root = this.byUrn(urn);
    const below = this.childrenOf(urn).flatMap((c) => this.subtree(c.urn));
    return root ? [root, ...below] : below;
  }
}

/**
 * Installs the mocks (replacing any installed before) and returns a fresh recorder. Sets the stack
 * config when `options.config` is given.
 */
export function installPulumiMocks(options: PulumiMockOptions = {}): PulumiRecorder {
  const recorder = new PulumiRecorder();
  const invokes = { ...DEFAULT_INVOKES, ...options.invokes };
  // Requests carry parent and dependencies, which the mocks' own arguments leave out: note them by name.
  const pending = new Map<
    string,
    Pick<RecordedResource, "parent" | "dependencies" | "propertyDependencies">
  >();
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = { ...args.inputs, ...derivedState(args.type, args.name, args.inputs) };
        // args.id is the import id, "" when not importing; an empty id would leave `id` unknown.
        const id = args.id || state.id || `${args.name}-id`;
        const meta = pending.get(`${args.type}::${args.name}`);
        recorder.resources.push({
          type: args.type,
          name: args.name,
          urn: "",
          id,
          custom: args.custom ?? true,
          inputs: args.inputs,
          state,
          parent: meta?.parent ?? "",
          dependencies: meta?.dependencies ?? [],
          propertyDependencies: meta?.propertyDependencies ?? {},
        });
        return { id, state };
      },
      call(args) {
        recorder.invokes.push({ token: args.token, inputs: args.inputs });
        const answer = invokes[args.token];
        if (!answer) throw new Error(`no mock for invoke ${args.token}`);
        return answer(args.inputs);
      },
    },
    options.project ?? "bucketwarden",
    options.stack ?? "test",
    false,
  );
  if (options.config !== undefined) pulumi.runtime.setAllConfig(options.config);
  wrapMonitor(recorder, pending);
  return recorder;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void;
  };
}

/** Reads what the mock arguments leave out from each request, and the URN from each response. */
function wrapMonitor(
  recorder: PulumiRecorder,
  pending: Map<string, Pick<RecordedResource, "parent" | "dependencies" | "propertyDependencies">>,
): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
      propertyDependencies[key] = deps.getUrnsList();
    });
    const key = `${req.getType()}::${req.getName()}`;
    pending.set(key, {
      parent: req.getParent(),
      dependencies: req.getDependenciesList(),
      propertyDependencies,
    });
    return register(req, (err, res) => {
      const urn = res?.getUrn();
      const recorded = [...recorder.resources]
        .reverse()
        .find((r) => `${r.type}::${r.name}` === key && r.urn === "");
      if (recorded && urn) recorded.urn = urn;
      pending.delete(key);
      cb(err, res);
    });
  };
}

/** The value of an Output (mocks run with preview off, so every value is known). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Installs fresh mocks, runs `build` (which constructs resources), and waits until all are registered. */
export async function recordResources(
  build: () => void,
  options: PulumiMockOptions = {},
): Promise<PulumiRecorder> {
  const recorder = installPulumiMocks(options);
  build();
  await recorder.settle();
  return recorder;
}
