import assert from "node:assert/strict";
import type * as Components from "../../components";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import { AccessRuleSids, type PolicyDocument } from "../../core/access-rule";
import { ConfigError } from "../../core/errors";
import { parseScannerConfig } from "../../core/handler-config";
import { ScannerMetrics } from "../../core/metrics";
import { authorize, identityAllows, s3, sessionOf } from "../support/policy-eval";
import {
  installPulumiMocks,
  MOCK_ACCOUNT,
  type PulumiRecorder,
  type RecordedResource,
} from "../support/pulumi-mocks";
import { componentTree, onlyWithin, policyOf, rolePolicyOfFunction, within } from "./graph";

const DEFINITIONS = { bucketName: "defs", bucketArn: "arn:aws:s3:::defs", prefix: "clamav/" };
const TOPIC = `arn:aws:sns:us-east-1:${MOCK_ACCOUNT}:security`;
const BREAK_GLASS = `arn:aws:iam::${MOCK_ACCOUNT}:role/malware-analyst`;

function load(): typeof Components {
  return require("../../components");
}

async function scannerTree(
  name: string,
  infectedObjects?: Components.InfectedObjectsArgs,
): Promise<{ rec: PulumiRecorder; tree: RecordedResource[] }> {
  const rec = installPulumiMocks();
  const { UploadScanner } = load();
  new UploadScanner(name, {
    newBucket: true,
    definitions: DEFINITIONS,
    alarmTopicArns: [TOPIC],
    breakGlassRoleArns: [BREAK_GLASS],
    ...(infectedObjects ? { infectedObjects } : {}),
  });
  await rec.settle();
  return { rec, tree: componentTree(rec, ComponentTypes.UploadScanner, name) };
}

const envOf = (tree: RecordedResource[]) => onlyWithin(tree, T.function).inputs.environment.variables;
const sidsOf = (doc: PolicyDocument) => doc.Statement.map((s) => s.Sid);

describe("components/UploadScanner: infected objects, by default", () => {
  let tree: RecordedResource[];
  before(async () => {
    ({ tree } = await scannerTree("plain"));
  });

  it("creates no quarantine bucket and tells the scanner to take no action", () => {
    assert.equal(within(tree, T.bucket).length, 1, "the upload bucket only");
    const config = parseScannerConfig(envOf(tree));
    assert.equal(config.quarantineBucket, undefined);
    assert.equal(config.deleteInfected, false);
  });

  it("grants the scanner no quarantine writes and no deletes", () => {
    const sids = sidsOf(rolePolicyOfFunction(tree, onlyWithin(tree, T.function)));
    assert.ok(!sids.includes("QuarantineInfected"));
    assert.ok(!sids.includes("DeleteInfectedVersions"));
  });

  it("alarms the alarm topics on the first malware found, counted from the scanner's own log group", () => {
    const field = ScannerMetrics.malwareDetected;
    const filter = within(tree, T.logMetricFilter).find((f) => f.inputs.metricTransformation.name === field);
    assert.ok(filter, `no metric filter for ${field}`);
    assert.equal(filter.inputs.logGroupName, onlyWithin(tree, T.logGroup).state.name);
    const alarm = within(tree, T.metricAlarm).find((a) => a.inputs.metricName === field);
    assert.ok(alarm, `no alarm on ${field}`);
    assert.equal(alarm.inputs.namespace, filter.inputs.metricTransformation.namespace);
    assert.deepEqual([alarm.inputs.statistic, alarm.inputs.threshold], ["Sum", 1]);
    assert.deepEqual(alarm.inputs.alarmActions, [TOPIC]);
  });

  it("has no alarm on failed actions, since none are taken", () => {
    const field = ScannerMetrics.infectedActionFailures;
    assert.equal(
      within(tree, T.metricAlarm).find((a) => a.inputs.metricName === field),
      undefined,
    );
  });
});

describe("components/UploadScanner: quarantine and delete of infected objects", () => {
  let tree: RecordedResource[];
  let uploads: RecordedResource;
  let quarantine: RecordedResource;
  let quarantinePolicy: PolicyDocument;
  let role: PolicyDocument;
  let scannerRoleArn: string;

  before(async () => {
    ({ tree } = await scannerTree("acting", { quarantine: true, delete: true }));
    const buckets = within(tree, T.bucket);
    assert.equal(buckets.length, 2);
    uploads = buckets.find((b) => b.name === "acting-uploads") as RecordedResource;
    quarantine = buckets.find((b) => b.name === "acting-quarantine") as RecordedResource;
    assert.ok(uploads && quarantine);
    const policy = within(tree, T.bucketPolicy).find((p) => p.inputs.bucket === quarantine.id);
    assert.ok(policy, "a policy on the quarantine bucket");
    quarantinePolicy = policyOf(policy);
    role = rolePolicyOfFunction(tree, onlyWithin(tree, T.function));
    scannerRoleArn = onlyWithin(tree, T.role).state.arn;
  });

  it("creates the quarantine bucket private, versioned and encrypted, with a name known at preview", () => {
    assert.match(quarantine.inputs.bucket, /^acting-quarantine-[0-9a-f]{12}$/);
    const onQuarantine = (type: string) =>
      within(tree, type).filter((r) => r.inputs.bucket === quarantine.id);
    assert.equal(onQuarantine(T.versioning)[0]?.inputs.versioningConfiguration.status, "Enabled");
    const block = onQuarantine(T.publicAccessBlock)[0];
    assert.deepEqual(
      [block?.inputs.blockPublicAcls, block?.inputs.blockPublicPolicy, block?.inputs.restrictPublicBuckets],
      [true, true, true],
    );
    assert.equal(onQuarantine(T.encryption).length, 1);
  });

  it("puts the quarantine bucket under the fail-closed access rule, TLS only", () => {
    const sids = sidsOf(quarantinePolicy);
    for (const sid of [
      AccessRuleSids.denyInfected,
      AccessRuleSids.denyUnscanned,
      AccessRuleSids.denyUntagged,
      AccessRuleSids.denyCopies,
      AccessRuleSids.tlsOnly,
    ])
      assert.ok(sids.includes(sid), sid);
  });

  it("lets the scanner copy an infected version in, keeping its verdict tags", async () => {
    const name = String(quarantine.inputs.bucket);
    // Tagging directive COPY: the verdict tags travel from the source, not as request tags.
    const copy = s3.copyObject(
      { bucket: String(uploads.inputs.bucket), key: "a.exe", tags: { Infected: "true" } },
      { bucket: name, key: "a.exe" },
    );
    // The source's own check belongs to the upload bucket, whose policy this test leaves out; the
    // copied tags may also be authorized as a tag write on the new object.
    const target = { bucket: name, key: "a.exe", tags: { Infected: "true" } };
    const write = {
      ...copy,
      checks: [
        ...copy.checks.filter((c) => c.object.bucket === name),
        { action: "s3:PutObjectTagging", object: target },
      ],
    };
    const decision = await authorize({ [name]: quarantinePolicy }, sessionOf(scannerRoleArn), write);
    assert.ok(decision.allowed, JSON.stringify(decision));
  });

  it("denies even the scanner a copy that brings verdict tags as request tags (hence the COPY directive)", async () => {
    const name = String(quarantine.inputs.bucket);
    const call = s3.copyObject(
      { bucket: "uploads", key: "a.exe" },
      { bucket: name, key: "a.exe" },
      { Infected: "true" },
    );
    const write = { ...call, checks: call.checks.filter((c) => c.object.bucket === name) };
    assert.equal(
      (await authorize({ [name]: quarantinePolicy }, sessionOf(scannerRoleArn), write)).allowed,
      false,
    );
  });

  it("denies reads of quarantined copies to every other principal of the account, not to break-glass", async () => {
    const name = String(quarantine.inputs.bucket);
    const copy = { bucket: name, key: "a.exe", tags: { Infected: "true" } };
    const policies = { [name]: quarantinePolicy };
    const reader = sessionOf(`arn:aws:iam::${MOCK_ACCOUNT}:role/admin`);
    assert.equal((await authorize(policies, reader, s3.getObject(copy))).allowed, false);
    assert.equal((await authorize(policies, reader, s3.getObjectVersion(copy))).allowed, false);
    assert.equal((await authorize(policies, sessionOf(BREAK_GLASS), s3.getObject(copy))).allowed, true);
  });

  it("denies other principals a copy into the quarantine bucket", async () => {
    const name = String(quarantine.inputs.bucket);
    const call = s3.copyObject({ bucket: "elsewhere", key: "x" }, { bucket: name, key: "x" });
    const write = { ...call, checks: call.checks.filter((c) => c.object.bucket === name) };
    const admin = sessionOf(`arn:aws:iam::${MOCK_ACCOUNT}:role/admin`);
    assert.equal((await authorize({ [name]: quarantinePolicy }, admin, write)).allowed, false);
  });

  it("grants the scanner writes into the quarantine bucket and version deletes in the upload bucket, no more", async () => {
    const q = String(quarantine.state.arn);
    const u = String(uploads.state.arn);
    assert.equal(await identityAllows(role, "s3:PutObject", `${q}/a.exe`), true);
    assert.equal(await identityAllows(role, "s3:PutObjectTagging", `${q}/a.exe`), true);
    assert.equal(await identityAllows(role, "s3:GetObject", `${q}/a.exe`), false);
    assert.equal(await identityAllows(role, "s3:DeleteObjectVersion", `${q}/a.exe`), false);
    assert.equal(await identityAllows(role, "s3:DeleteObjectVersion", `${u}/a.exe`), true);
    assert.equal(await identityAllows(role, "s3:DeleteObject", `${u}/a.exe`), false);
  });

  it("hands the scanner the quarantine bucket's name and the delete", () => {
    const config = parseScannerConfig(envOf(tree));
    assert.equal(config.quarantineBucket, quarantine.inputs.bucket);
    assert.equal(config.deleteInfected, true);
  });

  it("alarms when a quarantine copy or delete fails", () => {
    const field = ScannerMetrics.infectedActionFailures;
    const alarm = within(tree, T.metricAlarm).find((a) => a.inputs.metricName === field);
    assert.ok(alarm, `no alarm on ${field}`);
    assert.deepEqual(alarm.inputs.alarmActions, [TOPIC]);
  });
});

describe("components/UploadScanner: delete without quarantine", () => {
  it("is refused without the acknowledgement, naming the arguments", async () => {
    installPulumiMocks();
    const { UploadScanner } = load();
    assert.throws(
      () =>
        new UploadScanner("refused", {
          newBucket: true,
          definitions: DEFINITIONS,
          infectedObjects: { delete: true },
        }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.setting === "infectedObjects.delete" &&
        /infectedObjects\.quarantine/.test(e.message) &&
        /infectedObjects\.acknowledgeDeleteWithoutQuarantine/.test(e.message),
    );
  });

  it("is accepted with the acknowledgement, and creates no quarantine bucket", async () => {
    const { tree } = await scannerTree("acknowledged", {
      delete: true,
      acknowledgeDeleteWithoutQuarantine: true,
    });
    assert.equal(within(tree, T.bucket).length, 1);
    const config = parseScannerConfig(envOf(tree));
    assert.deepEqual([config.deleteInfected, config.deleteWithoutQuarantine], [true, true]);
    const sids = sidsOf(rolePolicyOfFunction(tree, onlyWithin(tree, T.function)));
    assert.ok(sids.includes("DeleteInfectedVersions"));
    assert.ok(!sids.includes("QuarantineInfected"));
  });
});

describe("components/MalwareScanning: infected objects", () => {
  it("gives each upload bucket's scanner its own quarantine bucket", async () => {
    const rec = installPulumiMocks();
    const { MalwareScanning } = load();
    new MalwareScanning("stack", {
      uploadBuckets: { photos: { newBucket: true }, docs: { newBucket: true } },
      scanner: { infectedObjects: { quarantine: true } },
      backlogScanning: false,
    });
    await rec.settle();
    const names = rec.resources
      .filter((r) => r.type === T.bucket && r.name.endsWith("-quarantine"))
      .map((r) => r.name)
      .sort();
    assert.deepEqual(names, ["stack-docs-quarantine", "stack-photos-quarantine"]);
  });
});
