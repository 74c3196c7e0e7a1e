/**
 * Fake stacks for the rules' unit tests, in the style of @pulumi/awsguard's tests: one helper builds
 * a happy-path stack shaped like the one bucketwarden's components deploy (from core's builders),
 * and each test changes one thing.
 */
import type { StackValidationArgs } from "@pulumi/policy";
import {
  accessRuleStatements,
  mergePolicy,
  type PolicyStatement,
  scannerRole,
} from "../../../core/access-rule";
import { scannerEnvironment } from "../../../core/handler-config";
import { layerName } from "../../../core/naming";
import { SCAN_EVENTS } from "../../../core/notifications";
import { DEFAULT_TAG_SCHEMA, type TagSchema } from "../../../core/tags";
import { AwsTypes, ComponentTypes } from "../../../policies/lib/types";
import { type ResourceRecord, stackArgs } from "./policy-resources";

// biome-ignore lint/suspicious/noExplicitAny: resource properties are untyped JSON by nature.
export type Props = Record<string, any>;

export interface Spec {
  type: string;
  name: string;
  props: Props;
  /** Name of the parent spec. */
  parent?: string;
  /** Per property, names of the specs it was computed from. */
  deps?: Record<string, string[]>;
}

export class FakeStack {
  private readonly specs = new Map<string, Spec>();

  add(type: string, name: string, props: Props = {}, opts: Pick<Spec, "parent" | "deps"> = {}): this {
    if (this.specs.has(name)) throw new Error(`fake stack already has "${name}"`);
    this.specs.set(name, { type, name, props, ...opts });
    return this;
  }

  get(name: string): Spec {
    const spec = this.specs.get(name);
    if (spec === undefined) throw new Error(`fake stack has no "${name}"`);
    return spec;
  }

  /** The properties of `name`, to change one in a test. */
  props(name: string): Props {
    return this.get(name).props;
  }

  remove(name: string): this {
    this.get(name);
    this.specs.delete(name);
    return this;
  }

  records(): ResourceRecord[] {
    const urnOf = (spec: Spec): string => {
      const types: string[] = [];
      for (let p = spec.parent; p !== undefined; p = this.get(p).parent) types.unshift(this.get(p).type);
      return `urn:pulumi:test::bucketwarden::${[...types, spec.type].join("$")}::${spec.name}`;
    };
    const urn = (name: string) => (this.specs.has(name) ? urnOf(this.get(name)) : `urn:removed::${name}`);
    return [...this.specs.values()].map((spec) => {
      const propertyDependencies = Object.fromEntries(
        Object.entries(spec.deps ?? {}).map(([k, names]) => [k, names.map(urn)]),
      );
      return {
        type: spec.type,
        name: spec.name,
        urn: urnOf(spec),
        parent: spec.parent === undefined ? "" : urnOf(this.get(spec.parent)),
        props: spec.props,
        dependencies: [...new Set(Object.values(propertyDependencies).flat())],
        propertyDependencies,
      };
    });
  }

  /** Stack validation args as the engine builds them, with the rule's configuration. */
  args(config: object = {}): StackValidationArgs {
    return stackArgs(this.records(), config);
  }
}

export const ACCOUNT = "123456789012";
export const SCANNER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/uploads-scanner-role-mock`;
const lambdaArn = (resource: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:${resource}`;
const sqsArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const sqsUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`;

/** Physical names of the happy stack. */
export const Names = {
  definitionsBucket: "defs-bucket-mock",
  uploadBucket: "uploads-bucket-mock",
  scannerLayer: layerName("bw-test", "scanner", "arm64"),
  scannerFunction: "uploads-scanner-mock",
  eventsQueue: "uploads-scanner-events-mock",
  deadLetterQueue: "uploads-scanner-dead-letters-mock",
} as const;

export const Arns = {
  uploadBucket: `arn:aws:s3:::${Names.uploadBucket}`,
  scannerLayer: lambdaArn(`layer:${Names.scannerLayer}:1`),
  scannerFunction: lambdaArn(`function:${Names.scannerFunction}`),
  eventsQueue: sqsArn(Names.eventsQueue),
  deadLetterQueue: sqsArn(Names.deadLetterQueue),
} as const;

/** The upload bucket's policy as the component writes it: core's access rule for that bucket. */
export function accessRulePolicy(
  options: { bucket?: string; tags?: TagSchema; failClosed?: boolean; extra?: PolicyStatement[] } = {},
): string {
  const rule = accessRuleStatements({
    bucket: options.bucket ?? Names.uploadBucket,
    tags: options.tags ?? DEFAULT_TAG_SCHEMA,
    failClosed: options.failClosed,
    scanner: scannerRole(SCANNER_ROLE_ARN),
  });
  return JSON.stringify(mergePolicy(rule, options.extra));
}

/** Rewrites the statements of the policy of `name` (a BucketPolicy spec). */
export function editPolicy(
  stack: FakeStack,
  name: string,
  edit: (s: PolicyStatement[]) => PolicyStatement[],
) {
  const doc = JSON.parse(stack.props(name).policy);
  doc.Statement = edit(doc.Statement);
  stack.props(name).policy = JSON.stringify(doc);
}

/**
 * The happy path: a definitions store (private, encrypted bucket), a shared scanner layer, and one
 * upload bucket with its scanner behind an SQS queue with a dead-letter queue, its notification and
 * the access rule as its policy.
 */
export function happyStack(options: { tags?: TagSchema } = {}): FakeStack {
  const tags = options.tags ?? DEFAULT_TAG_SCHEMA;
  const s = new FakeStack()
    .add(ComponentTypes.malwareScanning, "scanning")
    .add(ComponentTypes.definitionsStore, "defs", {}, { parent: "scanning" })
    .add(ComponentTypes.uploadScanner, "uploads", {}, { parent: "scanning" });

  s.add(
    AwsTypes.bucket,
    "defs-bucket",
    {
      bucket: Names.definitionsBucket,
      id: Names.definitionsBucket,
      arn: `arn:aws:s3:::${Names.definitionsBucket}`,
    },
    { parent: "defs" },
  )
    .add(
      AwsTypes.bucketPublicAccessBlock,
      "defs-bucket-public-access",
      {
        bucket: Names.definitionsBucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: "defs", deps: { bucket: ["defs-bucket"] } },
    )
    .add(
      AwsTypes.bucketEncryption,
      "defs-bucket-encryption",
      {
        bucket: Names.definitionsBucket,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      { parent: "defs", deps: { bucket: ["defs-bucket"] } },
    );

  s.add(
    AwsTypes.layerVersion,
    "scanning-scanner-layer",
    { layerName: Names.scannerLayer, arn: Arns.scannerLayer },
    { parent: "scanning" },
  );

  s.add(
    AwsTypes.bucket,
    "uploads-bucket",
    { bucket: Names.uploadBucket, id: Names.uploadBucket, arn: Arns.uploadBucket },
    { parent: "uploads" },
  )
    .add("aws:iam/role:Role", "uploads-scanner-role", { arn: SCANNER_ROLE_ARN }, { parent: "uploads" })
    .add(
      AwsTypes.function,
      "uploads-scanner",
      {
        name: Names.scannerFunction,
        arn: Arns.scannerFunction,
        role: SCANNER_ROLE_ARN,
        layers: [Arns.scannerLayer],
        environment: { variables: scannerEnvironment({ definitionsBucket: Names.definitionsBucket, tags }) },
      },
      {
        parent: "uploads",
        deps: {
          layers: ["scanning-scanner-layer"],
          role: ["uploads-scanner-role"],
          environment: ["defs-bucket"],
        },
      },
    )
    .add(
      AwsTypes.queue,
      "uploads-scanner-dead-letters",
      { name: Names.deadLetterQueue, arn: Arns.deadLetterQueue, url: sqsUrl(Names.deadLetterQueue) },
      { parent: "uploads" },
    )
    .add(
      AwsTypes.queue,
      "uploads-scanner-events",
      {
        name: Names.eventsQueue,
        arn: Arns.eventsQueue,
        url: sqsUrl(Names.eventsQueue),
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: Arns.deadLetterQueue, maxReceiveCount: 5 }),
      },
      { parent: "uploads", deps: { redrivePolicy: ["uploads-scanner-dead-letters"] } },
    )
    .add(
      AwsTypes.eventSourceMapping,
      "uploads-trigger-events-mapping",
      { eventSourceArn: Arns.eventsQueue, functionName: Arns.scannerFunction },
      {
        parent: "uploads",
        deps: { eventSourceArn: ["uploads-scanner-events"], functionName: ["uploads-scanner"] },
      },
    )
    .add(
      AwsTypes.bucketNotification,
      "uploads-notifications",
      { bucket: Names.uploadBucket, queues: [{ events: [...SCAN_EVENTS], queueArn: Arns.eventsQueue }] },
      { parent: "uploads", deps: { bucket: ["uploads-bucket"], queues: ["uploads-scanner-events"] } },
    )
    .add(
      AwsTypes.bucketPolicy,
      "uploads-policy",
      { bucket: Names.uploadBucket, policy: accessRulePolicy({ tags }) },
      {
        parent: "uploads",
        deps: { bucket: ["uploads-bucket"], policy: ["uploads-bucket", "uploads-scanner-role"] },
      },
    );
  return s;
}

/** The happy stack with the seed's direct S3 → Lambda trigger instead of the queue. */
export function directTriggerStack(): FakeStack {
  const stack = happyStack().remove("uploads-trigger-events-mapping");
  stack.props("uploads-notifications").queues = [];
  stack.props("uploads-notifications").lambdaFunctions = [
    { events: [...SCAN_EVENTS], lambdaFunctionArn: Arns.scannerFunction },
  ];
  stack.get("uploads-notifications").deps = {
    bucket: ["uploads-bucket"],
    lambdaFunctions: ["uploads-scanner"],
  };
  return stack;
}
