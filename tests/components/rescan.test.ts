/**
 * BacklogScanning's rescan on new signatures, under Pulumi mocks: the EventBridge rule on
 * `Definitions Updated`, the starter function it targets, the starter's least-privilege role (checked
 * with the IAM simulator), and the updater allowed to send the event on its bus only.
 */
import assert from "node:assert/strict";
import type * as Components from "../../components";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import type { PolicyDocument } from "../../core/access-rule";
import { EnvVars } from "../../core/handler-config";
import { parseRescanStarterConfig, RESCAN_CONFIG_VARIABLE } from "../../core/rescan-starter";
import { identityAllows } from "../support/policy-eval";
import {
  installPulumiMocks,
  MOCK_ACCOUNT,
  MOCK_REGION,
  type PulumiRecorder,
  type RecordedResource,
} from "../support/pulumi-mocks";
import { componentTree, dependsOn, onlyWithin, rolePolicyOfFunction, within } from "./graph";

const PHOTOS_SCANNER = `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:photos-scanner`;
const PHOTOS = "arn:aws:s3:::acme-photos";

function load(): typeof Components {
  return require("../../components");
}

describe("components/BacklogScanning: rescans when definitions add signatures", () => {
  let rec: PulumiRecorder;
  let tree: RecordedResource[];
  let starter: RecordedResource;
  let starterPolicy: PolicyDocument;
  let jobRoleArn: string;

  before(async () => {
    rec = installPulumiMocks();
    const { BacklogScanning } = load();
    new BacklogScanning("backlog", {
      scannerFunctionArns: { photos: PHOTOS_SCANNER },
      uploadBucketArns: { photos: PHOTOS },
    });
    await rec.settle();
    tree = componentTree(rec, ComponentTypes.BacklogScanning, "backlog");
    starter = onlyWithin(tree, T.function);
    starterPolicy = rolePolicyOfFunction(tree, starter);
    jobRoleArn = (within(tree, T.role).find((r) => r.name === "backlog-job-role") as RecordedResource).state
      .arn;
  });

  it("runs the starter on bucketwarden's Definitions Updated events", () => {
    const rule = onlyWithin(tree, T.eventRule);
    assert.deepEqual(JSON.parse(rule.inputs.eventPattern), {
      source: ["bucketwarden"],
      "detail-type": ["Definitions Updated"],
    });
    const target = onlyWithin(tree, T.eventTarget);
    assert.equal(target.inputs.rule, rule.state.name);
    assert.equal(target.inputs.arn, starter.state.arn);
    const permission = onlyWithin(tree, T.permission);
    assert.equal(permission.inputs.principal, "events.amazonaws.com");
    assert.equal(permission.inputs.sourceArn, rule.state.arn);
    assert.ok(dependsOn(target, permission), "the target waits for EventBridge's permission");
  });

  it("hands the starter the job role, the report bucket, the scanners and a one-day window", () => {
    const config = parseRescanStarterConfig(starter.inputs.environment.variables);
    assert.equal(config.windowSeconds, 86_400);
    assert.equal(config.jobRoleArn, jobRoleArn);
    assert.equal(config.accountId, MOCK_ACCOUNT);
    assert.deepEqual(config.buckets, [{ bucket: "acme-photos", scannerFunctionArn: PHOTOS_SCANNER }]);
    assert.equal(config.reportPrefix, "reports/");
  });

  it("lets the starter create jobs and pass the job role to Batch Operations only", async () => {
    assert.ok(
      await identityAllows(starterPolicy, "s3:CreateJob", "*", { "s3:RequestJobOperation": "LambdaInvoke" }),
    );
    assert.ok(
      !(await identityAllows(starterPolicy, "s3:CreateJob", "*", {
        "s3:RequestJobOperation": "S3DeleteObjectTagging",
      })),
      "no job of another operation",
    );
    const toBatch = { "iam:PassedToService": "batchoperations.s3.amazonaws.com" };
    assert.ok(await identityAllows(starterPolicy, "iam:PassRole", jobRoleArn, toBatch));
    assert.ok(
      !(await identityAllows(starterPolicy, "iam:PassRole", jobRoleArn, {
        "iam:PassedToService": "lambda.amazonaws.com",
      })),
      "not to another service",
    );
    const other = `arn:aws:iam::${MOCK_ACCOUNT}:role/admin`;
    assert.ok(!(await identityAllows(starterPolicy, "iam:PassRole", other, toBatch)), "not another role");
  });

  it("gives the starter nothing on the upload buckets or the scanners", async () => {
    for (const [action, resource] of [
      ["s3:GetObject", `${PHOTOS}/a.png`],
      ["s3:PutObjectTagging", `${PHOTOS}/a.png`],
      ["s3:ListBucket", PHOTOS],
      ["lambda:InvokeFunction", PHOTOS_SCANNER],
      ["s3:UpdateJobStatus", `arn:aws:s3:${MOCK_REGION}:${MOCK_ACCOUNT}:job/1`],
    ])
      assert.ok(!(await identityAllows(starterPolicy, action, resource)), action);
  });

  it("creates no starter, rule or permission when rescans are off", async () => {
    const off = installPulumiMocks();
    const { BacklogScanning } = load();
    new BacklogScanning("quiet", {
      scannerFunctionArns: { photos: PHOTOS_SCANNER },
      uploadBucketArns: { photos: PHOTOS },
      rescanWindow: "0",
    });
    await off.settle();
    const quiet = componentTree(off, ComponentTypes.BacklogScanning, "quiet");
    assert.deepEqual(
      [T.function, T.eventRule, T.eventTarget, T.permission].map((t) => within(quiet, t).length),
      [0, 0, 0, 0],
    );
  });

  it("refuses a window that is not a duration, naming the argument", () => {
    installPulumiMocks();
    const { BacklogScanning } = load();
    assert.throws(
      () =>
        new BacklogScanning("bad", {
          scannerFunctionArns: { photos: PHOTOS_SCANNER },
          uploadBucketArns: { photos: PHOTOS },
          rescanWindow: "a day",
        }),
      /rescanWindow: "a day" is not a duration/,
    );
  });
});

describe("components/MalwareScanning: the updater announces new signatures on the bus", () => {
  it("gives the updater the bus, and lets it put events there only", async () => {
    const rec = installPulumiMocks();
    const { MalwareScanning } = load();
    const bus = `arn:aws:events:us-east-1:${MOCK_ACCOUNT}:event-bus/security`;
    new MalwareScanning("s", {
      uploadBuckets: { photos: { newBucket: true } },
      eventBusArn: bus,
      rescanWindow: "7d",
    });
    await rec.settle();
    const defs = componentTree(rec, ComponentTypes.DefinitionsStore, "s-definitions");
    const updater = onlyWithin(defs, T.function);
    assert.equal(updater.inputs.environment.variables[EnvVars.eventBusName], bus);
    const policy = rolePolicyOfFunction(defs, updater);
    assert.ok(await identityAllows(policy, "events:PutEvents", bus));
    assert.ok(!(await identityAllows(policy, "events:PutEvents", bus.replace("security", "default"))));
    const backlog = componentTree(rec, ComponentTypes.BacklogScanning, "s-backlog");
    assert.equal(onlyWithin(backlog, T.eventRule).inputs.eventBusName, bus);
    const starter = onlyWithin(backlog, T.function);
    assert.equal(parseRescanStarterConfig(starter.inputs.environment.variables).windowSeconds, 7 * 86_400);
    assert.ok(RESCAN_CONFIG_VARIABLE in starter.inputs.environment.variables);
  });
});
