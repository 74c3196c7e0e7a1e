import assert from "node:assert/strict";
import type * as Components from "../../components";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import type { PolicyDocument } from "../../core/access-rule";
import { ConfigError } from "../../core/errors";
import { wildcardGrants } from "../../core/iam";
import { identityAllows } from "../support/policy-eval";
import {
  installPulumiMocks,
  MOCK_ACCOUNT,
  outputValue,
  type PulumiRecorder,
  type RecordedResource,
} from "../support/pulumi-mocks";
import { componentTree, onlyWithin, policyOf, rolePolicyOfFunction, within } from "./graph";

const PHOTOS_SCANNER = `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:photos-scanner`;
const DOCS_SCANNER = `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:documents-scanner`;
const PHOTOS = "arn:aws:s3:::acme-photos";
const DOCS = "arn:aws:s3:::acme-documents";

function load(): typeof Components {
  return require("../../components");
}

describe("components/BacklogScanning", () => {
  let rec: PulumiRecorder;
  let backlog: Components.BacklogScanning;
  let tree: RecordedResource[];
  let permissions: PolicyDocument;
  let reportBucket: string;

  before(async () => {
    rec = installPulumiMocks();
    const { BacklogScanning } = load();
    backlog = new BacklogScanning("backlog", {
      scannerFunctionArns: { photos: PHOTOS_SCANNER, documents: DOCS_SCANNER },
      uploadBucketArns: { photos: PHOTOS, documents: DOCS },
      // The job role alone; the rescan starter has tests of its own (rescan.test.ts).
      rescanWindow: false,
    });
    await rec.settle();
    tree = componentTree(rec, ComponentTypes.BacklogScanning, "backlog");
    permissions = policyOf(onlyWithin(tree, T.rolePolicy));
    reportBucket = `arn:aws:s3:::${onlyWithin(tree, T.bucket).state.bucket}`;
  });

  it("creates a job role, its permissions and a private report bucket, under itself", () => {
    const root = rec.one(ComponentTypes.BacklogScanning, "backlog");
    for (const r of tree.filter((t) => t !== root)) assert.ok(r.urn.includes("BacklogScanning$"), r.urn);
    assert.equal(onlyWithin(tree, T.role).name, "backlog-job-role");
    assert.equal(onlyWithin(tree, T.bucket).name, "backlog-reports");
    assert.equal(onlyWithin(tree, T.publicAccessBlock).inputs.restrictPublicBuckets, true);
    assert.equal(
      onlyWithin(tree, T.encryption).inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
      "AES256",
    );
    assert.equal(onlyWithin(tree, T.bucket).inputs.forceDestroy, false);
    assert.equal(within(tree, T.function).length, 0, "the jobs invoke the scanners; no function of its own");
  });

  it("refuses requests to the report bucket without TLS", () => {
    const policy = policyOf(onlyWithin(tree, T.bucketPolicy));
    assert.deepEqual(
      policy.Statement.map((s) => [s.Effect, s.Condition]),
      [["Deny", { Bool: { "aws:SecureTransport": "false" } }]],
    );
    assert.equal(onlyWithin(tree, T.bucketPolicy).inputs.bucket, onlyWithin(tree, T.bucket).state.bucket);
  });

  it("deletes manifests and reports after 90 days by default", () => {
    const rules = onlyWithin(tree, T.lifecycle).inputs.rules;
    assert.deepEqual(
      rules.map((r: { filter: { prefix: string }; expiration: { days: number } }) => [
        r.filter.prefix,
        r.expiration.days,
      ]),
      [
        ["manifests/", 90],
        ["reports/", 90],
      ],
    );
  });

  it("lets only Batch Operations assume the role, for this account's jobs", () => {
    const trust = JSON.parse(onlyWithin(tree, T.role).inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement, [
      {
        Effect: "Allow",
        Principal: { Service: "batchoperations.s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } },
      },
    ]);
  });

  it("attaches the permissions to the job role", () => {
    assert.equal(onlyWithin(tree, T.rolePolicy).inputs.role, onlyWithin(tree, T.role).state.name);
  });

  const rows: Array<[string, string, () => string, boolean]> = [
    ["lets the role invoke the photos scanner", "lambda:InvokeFunction", () => PHOTOS_SCANNER, true],
    ["lets the role invoke the documents scanner", "lambda:InvokeFunction", () => DOCS_SCANNER, true],
    [
      "keeps the role from invoking other functions",
      "lambda:InvokeFunction",
      () => `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT}:function:other`,
      false,
    ],
    ["lets the role read a manifest", "s3:GetObject", () => `${reportBucket}/manifests/job.csv`, true],
    [
      "lets the role write a report under its prefix",
      "s3:PutObject",
      () => `${reportBucket}/reports/job/r.csv`,
      true,
    ],
    [
      "keeps the role from writing a report elsewhere",
      "s3:PutObject",
      () => `${reportBucket}/elsewhere/r.csv`,
      false,
    ],
    ["lets the role list an upload bucket", "s3:ListBucket", () => PHOTOS, true],
    ["keeps the role from reading an upload's body", "s3:GetObject", () => `${PHOTOS}/a.jpg`, false],
    [
      "keeps the role from reading another upload's version",
      "s3:GetObjectVersion",
      () => `${DOCS}/a.pdf`,
      false,
    ],
  ];
  for (const [title, action, resource, allowed] of rows)
    it(title, async () => assert.equal(await identityAllows(permissions, action, resource()), allowed));

  it("grants no wildcard action or resource", () => assert.deepEqual(wildcardGrants(permissions), []));

  it("reports what the CLI reads", async () => {
    assert.equal(await outputValue(backlog.jobRoleArn), onlyWithin(tree, T.role).state.arn);
    assert.equal(await outputValue(backlog.reportBucketName), onlyWithin(tree, T.bucket).state.bucket);
    assert.equal(backlog.reportPrefix, "reports/");
    assert.equal(backlog.manifestPrefix, "manifests/");
    assert.deepEqual(await outputValue(backlog.scannerFunctionArns), {
      photos: PHOTOS_SCANNER,
      documents: DOCS_SCANNER,
    });
  });

  it("keeps manifests and reports forever when retentionDays is 0", async () => {
    const { BacklogScanning } = load();
    new BacklogScanning("forever", {
      scannerFunctionArns: { photos: PHOTOS_SCANNER },
      uploadBucketArns: { photos: PHOTOS },
      retentionDays: 0,
    });
    await rec.settle();
    const forever = componentTree(rec, ComponentTypes.BacklogScanning, "forever");
    assert.equal(within(forever, T.bucket).length, 1);
    assert.equal(within(forever, T.lifecycle).length, 0);
  });

  const refused: Array<[string, Partial<Components.BacklogScanningArgs>, string]> = [
    ["refuses no scanners", { scannerFunctionArns: {}, uploadBucketArns: {} }, "scannerFunctionArns"],
    [
      "refuses a scanner without its upload bucket",
      { uploadBucketArns: { photos: PHOTOS } },
      "uploadBucketArns",
    ],
    [
      "refuses an upload bucket without its scanner",
      { uploadBucketArns: { photos: PHOTOS, x: DOCS } },
      "uploadBucketArns",
    ],
    ["refuses a prefix that is not a folder", { reportPrefix: "reports" }, "reportPrefix"],
    ["refuses reports inside the manifests", { reportPrefix: "manifests/reports/" }, "reportPrefix"],
    ["refuses a retention that is not whole days", { retentionDays: 1.5 }, "retentionDays"],
  ];
  for (const [title, change, arg] of refused)
    it(title, () => {
      const { BacklogScanning } = load();
      assert.throws(
        () =>
          new BacklogScanning(`refused-${arg}`, {
            scannerFunctionArns: { photos: PHOTOS_SCANNER, documents: DOCS_SCANNER },
            uploadBucketArns: { photos: PHOTOS, documents: DOCS },
            ...change,
          } as Components.BacklogScanningArgs),
        (e: unknown) => e instanceof ConfigError && e.message.includes(arg),
      );
    });
});

describe("components/MalwareScanning: backlog scanning", () => {
  let rec: PulumiRecorder;

  before(() => {
    rec = installPulumiMocks();
  });

  it("creates backlog scanning for every upload bucket's scanner by default", async () => {
    const { MalwareScanning } = load();
    const scanning = new MalwareScanning("with", {
      uploadBuckets: {
        photos: { newBucket: true },
        avatars: { existingBucketName: "acme-avatars", adoptExistingBucket: true },
      },
    });
    await rec.settle();
    const backlog = rec.one(ComponentTypes.BacklogScanning, "with-backlog");
    assert.equal(backlog.parent, rec.one(ComponentTypes.MalwareScanning, "with").urn);
    assert.ok(scanning.backlog);
    const arns = await outputValue(scanning.backlog.scannerFunctionArns);
    const scanners = await outputValue(scanning.scannerNames());
    assert.deepEqual(Object.keys(arns).sort(), ["avatars", "photos"]);
    for (const [k, arn] of Object.entries(arns)) assert.ok(arn.endsWith(`:function:${scanners[k]}`), arn);
    const tree = componentTree(rec, ComponentTypes.BacklogScanning, "with-backlog");
    const listed = within(tree, T.rolePolicy)
      .flatMap((p) => policyOf(p).Statement)
      .find((s) => s.Sid === "ListUploadsForManifests");
    assert.deepEqual(
      listed?.Resource,
      [
        "arn:aws:s3:::acme-avatars",
        `arn:aws:s3:::${await outputValue(scanning.uploadBucketNames()).then((n) => n.photos)}`,
      ].sort(),
    );
  });

  it("lets each scanner list its own upload bucket, so a task for a deleted object fails for good", async () => {
    // Without s3:ListBucket, S3 answers 403 for a missing key, which the scanner retries as
    // TemporaryFailure; with it, 404, a PermanentFailure (`skipped:deleted`).
    const scanners = componentTree(rec, ComponentTypes.UploadScanner, "with-avatars");
    const fn = onlyWithin(scanners, T.function);
    const policy = rolePolicyOfFunction(scanners, fn);
    assert.equal(await identityAllows(policy, "s3:ListBucket", "arn:aws:s3:::acme-avatars"), true);
    assert.equal(await identityAllows(policy, "s3:ListBucket", "arn:aws:s3:::acme-other"), false);
  });

  it("creates none when backlogScanning is false", async () => {
    const { MalwareScanning } = load();
    const scanning = new MalwareScanning("without", {
      uploadBuckets: { photos: { newBucket: true } },
      backlogScanning: false,
    });
    await rec.settle();
    assert.equal(scanning.backlog, undefined);
    assert.equal(
      rec.ofType(ComponentTypes.BacklogScanning).filter((r) => r.name.startsWith("without")).length,
      0,
    );
  });
});
