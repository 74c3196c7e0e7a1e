/**
 * The pack against the stack bucketwarden's own components register (under mocks, recorded by
 * tests/support/pulumi-mocks.ts): it passes every rule, and each way of breaking the protection
 * fails with the expected message, as @pulumi/policy's own AnalyzeStack handler reports it.
 */
import * as assert from "node:assert/strict";
import { MalwareScanning } from "../../components";
import { AccessRuleSids, type PolicyDocument } from "../../core/access-rule";
import { AwsTypes } from "../../policies/lib/types";
import { rules } from "../../policies/rules";
import { installPulumiMocks, MOCK_ACCOUNT } from "../support/pulumi-mocks";
import { analyzeStack, type Diagnostic } from "./support/engine";
import { type ResourceRecord, stackArgs, UNKNOWN } from "./support/policy-resources";
import { recordedStack } from "./support/recorded-stack";
import { assertPasses, runRule } from "./support/run-rule";

const UPLOADS = "bw-uploads-uploads";
const EXISTING = "acme-existing-uploads";

/** Registers the whole pipeline under mocks and returns what the recorder saw. */
async function registerPipeline(scanner: { failClosed?: boolean } = {}) {
  const recorder = installPulumiMocks({ stack: "compliance" });
  new MalwareScanning("bw", {
    uploadBuckets: {
      uploads: { newBucket: true },
      existing: { existingBucketName: EXISTING, adoptExistingBucket: true, trigger: "direct" },
    },
    scanner,
    namePrefix: "bw-test",
  });
  await recorder.settle();
  return recorder.resources;
}

function find(records: ResourceRecord[], type: string, name: string): ResourceRecord {
  const hits = records.filter((r) => r.type === type && r.name === name);
  assert.equal(hits.length, 1, `one ${type} named ${name}`);
  return hits[0];
}

/** A copy of `records` with the upload bucket's policy statements edited. */
function withPolicy(
  records: ResourceRecord[],
  edit: (doc: PolicyDocument) => void,
  name = "bw-uploads-policy",
): ResourceRecord[] {
  const copy = structuredClone(records);
  const policy = find(copy, AwsTypes.bucketPolicy, name);
  const doc = JSON.parse(policy.props.policy as string) as PolicyDocument;
  edit(doc);
  policy.props.policy = JSON.stringify(doc);
  return copy;
}

function bareBucket(name: string, bucket: string): ResourceRecord {
  return {
    type: AwsTypes.bucket,
    name,
    urn: `urn:pulumi:compliance::bucketwarden::${AwsTypes.bucket}::${name}`,
    parent: "",
    props: { bucket, arn: bucket === UNKNOWN ? UNKNOWN : `arn:aws:s3:::${bucket}` },
    dependencies: [],
    propertyDependencies: {},
  };
}

/** Diagnostics as "level policy: message", without the description the server puts first. */
function summary(diagnostics: Diagnostic[]): string[] {
  return diagnostics
    .map((d) => `${d.enforcementLevel} ${d.policyName}: ${d.message.split("\n").pop()}`)
    .sort();
}

const READ_DENIES: string[] = [
  AccessRuleSids.denyInfected,
  AccessRuleSids.denyUnscanned,
  AccessRuleSids.denyUntagged,
];

describe("policy pack compliance with the components' stack", () => {
  let records: ResourceRecord[];
  let preview: ResourceRecord[];
  let firstPreview: ResourceRecord[];

  before(async () => {
    const resources = await registerPipeline();
    records = recordedStack(resources);
    preview = recordedStack(resources, { preview: true });
    firstPreview = recordedStack(resources, { preview: true, leaves: true });
  });

  it("registers an upload bucket of its own and protects an existing one by name", () => {
    find(records, AwsTypes.bucket, UPLOADS);
    const policies = records.filter((r) => r.type === AwsTypes.bucketPolicy).map((r) => r.props.bucket);
    assert.ok(policies.includes(EXISTING));
  });

  it("passes every rule", async () => {
    for (const rule of rules) assertPasses(await runRule(rule, stackArgs(records)));
  });

  it("gives the engine nothing to report", async () => {
    assert.deepEqual(await analyzeStack(rules, records), []);
  });

  it("fails when the policy no longer denies reads of infected objects", async () => {
    const broken = withPolicy(records, (doc) => {
      doc.Statement = doc.Statement.filter((s) => !READ_DENIES.includes(s.Sid ?? ""));
    });
    assert.deepEqual(summary(await analyzeStack(rules, broken)), [
      `advisory upload-bucket-fail-closed: Upload bucket "${UPLOADS}" must keep objects unreadable until the scanner tags them Infected=false (fail-closed): BucketPolicy "bw-uploads-policy" does not deny s3:GetObject of objects without the Infected tag, s3:GetObject of objects whose Infected tag is not false, s3:GetObjectVersion of objects without the Infected tag, s3:GetObjectVersion of objects whose Infected tag is not false`,
      `mandatory upload-bucket-denies-infected-reads: Upload bucket "${UPLOADS}" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: BucketPolicy "bw-uploads-policy" does not deny s3:GetObject, s3:GetObjectVersion`,
    ]);
  });

  it("stays compliant without the infected deny alone, since the fail-closed denies cover infected objects", async () => {
    const broken = withPolicy(records, (doc) => {
      doc.Statement = doc.Statement.filter((s) => s.Sid !== AccessRuleSids.denyInfected);
    });
    assert.deepEqual(await analyzeStack(rules, broken), []);
  });

  it("fails when the denies leave out s3:GetObjectVersion", async () => {
    const broken = withPolicy(records, (doc) => {
      for (const s of doc.Statement) {
        if (Array.isArray(s.Action)) s.Action = s.Action.filter((a) => a !== "s3:GetObjectVersion");
      }
    });
    const found = summary(await analyzeStack(rules, broken));
    assert.ok(
      found.includes(
        `mandatory upload-bucket-denies-infected-reads: Upload bucket "${UPLOADS}" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: BucketPolicy "bw-uploads-policy" does not deny s3:GetObjectVersion`,
      ),
      found.join("\n"),
    );
    assert.equal(found.filter((d) => d.startsWith("mandatory")).length, 1, found.join("\n"));
  });

  const mandatoryParts: Array<[string, string[], string]> = [
    [AccessRuleSids.denyCopies, ["verdict-tags-scanner-only"], "server-side copies"],
    [AccessRuleSids.denyVerdictKeys, ["verdict-tags-scanner-only"], "s3:PutObjectTagging tagged Infected"],
    [
      AccessRuleSids.denyInfectedTagChanges,
      ["verdict-tags-scanner-only"],
      "s3:DeleteObjectTagging of objects tagged Infected=true",
    ],
    [AccessRuleSids.denyTorrent, ["upload-bucket-denies-infected-reads"], "s3:GetObjectTorrent"],
    [
      AccessRuleSids.denyReplication,
      ["upload-bucket-denies-infected-reads", "verdict-tags-scanner-only"],
      "replication",
    ],
  ];
  for (const [sid, policyNames, gap] of mandatoryParts) {
    it(`fails ${policyNames.join(" and ")} when ${sid} is removed`, async () => {
      const broken = withPolicy(records, (doc) => {
        doc.Statement = doc.Statement.filter((s) => s.Sid !== sid);
      });
      const found = summary(await analyzeStack(rules, broken));
      assert.deepEqual(
        found.map((f) => f.split(":")[0]),
        policyNames.map((p) => `mandatory ${p}`),
        found.join("\n"),
      );
      for (const f of found) assert.ok(f.includes(`Upload bucket "${UPLOADS}"`) && f.includes(gap), f);
    });
  }

  it("fails when the trigger is removed", async () => {
    const broken = structuredClone(records).filter(
      (r) => !(r.type === AwsTypes.bucketNotification && r.name === "bw-uploads-notifications"),
    );
    assert.deepEqual(summary(await analyzeStack(rules, broken)), [
      `mandatory upload-bucket-scanner-trigger: Upload bucket "${UPLOADS}" must send every object-created event to a scanner function: it has no BucketNotification`,
    ]);
  });

  it("fails on a bare extra bucket", async () => {
    const broken = [...structuredClone(records), bareBucket("avatars", "acme-avatars")];
    assert.deepEqual(summary(await analyzeStack(rules, broken)), [
      'advisory upload-bucket-fail-closed: Upload bucket "avatars" must keep objects unreadable until the scanner tags them Infected=false (fail-closed): it has no bucket policy',
      'mandatory upload-bucket-denies-infected-reads: Upload bucket "avatars" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: it has no bucket policy',
      'mandatory upload-bucket-scanner-trigger: Upload bucket "avatars" must send every object-created event to a scanner function: it has no BucketNotification',
      'mandatory verdict-tags-scanner-only: Upload bucket "avatars" must let only the scanner write the verdict tags (Infected, ScanResult, ScanStamp): it has no bucket policy',
    ]);
  });

  describe("during the first preview, with every name, ARN and policy still unknown", () => {
    it("blocks nothing of the components' stack, decides its bucket policies, and says what it leaves for the update", async () => {
      const diagnostics = await analyzeStack(rules, preview);
      assert.deepEqual(
        diagnostics.filter((d) => d.enforcementLevel === "mandatory"),
        [],
      );
      const trigger = diagnostics.find((d) => d.policyName === "upload-bucket-scanner-trigger");
      assert.match(
        trigger?.message ?? "",
        /^can't run policy 'upload-bucket-scanner-trigger' .* during preview: /,
      );
      assert.match(
        trigger?.message ?? "",
        new RegExp(`Upload bucket "${UPLOADS}" must send every object-created event`),
      );
      // The bucket names are deterministic and the scanner role's ARN comes from invokes, so the
      // policies are known at preview and the rules that read them decide there.
      const policyRules = [
        "upload-bucket-denies-infected-reads",
        "verdict-tags-scanner-only",
        "upload-bucket-fail-closed",
      ];
      assert.deepEqual(
        diagnostics.filter((d) => policyRules.includes(d.policyName)),
        [],
      );
    });

    it("still stops a bare bucket whose name is unknown", async () => {
      const diagnostics = await analyzeStack(rules, [...preview, bareBucket("avatars", UNKNOWN)]);
      assert.deepEqual(summary(diagnostics.filter((d) => d.enforcementLevel === "mandatory")), [
        'mandatory upload-bucket-denies-infected-reads: Upload bucket "avatars" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: it has no bucket policy',
        'mandatory upload-bucket-scanner-trigger: Upload bucket "avatars" must send every object-created event to a scanner function: it has no BucketNotification',
        'mandatory verdict-tags-scanner-only: Upload bucket "avatars" must let only the scanner write the verdict tags (Infected, ScanResult, ScanStamp): it has no bucket policy',
      ]);
    });

    it("still stops a removed trigger", async () => {
      const broken = preview.filter(
        (r) => !(r.type === AwsTypes.bucketNotification && r.name === "bw-uploads-notifications"),
      );
      const mandatory = (await analyzeStack(rules, broken)).filter((d) => d.enforcementLevel === "mandatory");
      assert.deepEqual(summary(mandatory), [
        `mandatory upload-bucket-scanner-trigger: Upload bucket "${UPLOADS}" must send every object-created event to a scanner function: it has no BucketNotification`,
      ]);
    });
  });
  describe("during a first preview as the engine sees it, with only what resources compute unknown", () => {
    it("knows the scanner's role ARN from invokes and the trigger's entries one by one", () => {
      const existing = find(firstPreview, AwsTypes.bucketPolicy, "bw-existing-policy");
      assert.equal(typeof existing.props.policy, "string");
      const doc = JSON.parse(existing.props.policy as string) as PolicyDocument;
      assert.match(
        JSON.stringify(doc),
        new RegExp(`"arn:aws:iam::${MOCK_ACCOUNT}:role/bw-existing-scanner-role-[0-9a-f]{8}"`),
      );
      const notification = find(firstPreview, AwsTypes.bucketNotification, "bw-uploads-notifications");
      assert.ok(Array.isArray(notification.props.queues));
      assert.deepEqual(notification.props.queues[0].events, ["s3:ObjectCreated:*", "s3:ObjectTagging:*"]);
      assert.equal(notification.props.queues[0].queueArn, UNKNOWN);
    });

    it("reads the created bucket's policy in full: its name comes from invokes, not from S3", () => {
      const created = find(firstPreview, AwsTypes.bucketPolicy, "bw-uploads-policy");
      assert.equal(typeof created.props.policy, "string");
      assert.notEqual(created.props.policy, UNKNOWN);
      const bucket = find(firstPreview, AwsTypes.bucket, UPLOADS);
      assert.match(String(bucket.props.bucket), /^bw-uploads-uploads-[0-9a-f]{12}$/);
    });

    it("decides every rule as after the deploy: nothing left to 'can't run policy during preview'", async () => {
      const atPreview = await analyzeStack(rules, firstPreview);
      assert.deepEqual(
        atPreview.filter((d) => /during preview/.test(d.message)).map((d) => d.message),
        [],
      );
      // The same verdicts (and mandatory levels) as once every value is known.
      assert.deepEqual(summary(atPreview), summary(await analyzeStack(rules, records)));
    });

    it("stops a broken policy of the existing bucket as a mandatory violation", async () => {
      const broken = withPolicy(
        firstPreview,
        (doc) => {
          doc.Statement = doc.Statement.filter((s) => !READ_DENIES.includes(s.Sid ?? ""));
        },
        "bw-existing-policy",
      );
      const mandatory = (await analyzeStack(rules, broken)).filter((d) => d.enforcementLevel === "mandatory");
      assert.deepEqual(summary(mandatory), [
        `mandatory upload-bucket-denies-infected-reads: Upload bucket "${EXISTING}" (outside this stack) must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: BucketPolicy "bw-existing-policy" does not deny s3:GetObject, s3:GetObjectVersion`,
      ]);
    });

    it("stops a trigger whose entry no longer sends object-created events", async () => {
      const broken = structuredClone(firstPreview);
      const queues = find(broken, AwsTypes.bucketNotification, "bw-uploads-notifications").props.queues as {
        events: string[];
      }[];
      queues[0].events = ["s3:ObjectRemoved:*"];
      const mandatory = (await analyzeStack(rules, broken)).filter((d) => d.enforcementLevel === "mandatory");
      assert.equal(mandatory.length, 1, summary(mandatory).join("\n"));
      assert.equal(mandatory[0].policyName, "upload-bucket-scanner-trigger");
      assert.match(mandatory[0].message, new RegExp(`Upload bucket "${UPLOADS}"`));
    });
  });
});

describe("policy pack compliance with the components' stack in the seed's mode (fail-closed off)", () => {
  let records: ResourceRecord[];

  before(async () => {
    records = recordedStack(await registerPipeline({ failClosed: false }));
  });

  it("passes every mandatory rule and is advised to fail closed", async () => {
    const diagnostics = await analyzeStack(rules, records);
    assert.deepEqual(
      diagnostics.filter((d) => d.enforcementLevel === "mandatory"),
      [],
    );
    assert.deepEqual([...new Set(diagnostics.map((d) => d.policyName))], ["upload-bucket-fail-closed"]);
  });

  it("fails when the infected deny is removed", async () => {
    const broken = withPolicy(records, (doc) => {
      doc.Statement = doc.Statement.filter((s) => s.Sid !== AccessRuleSids.denyInfected);
    });
    const mandatory = (await analyzeStack(rules, broken)).filter((d) => d.enforcementLevel === "mandatory");
    assert.deepEqual(summary(mandatory), [
      `mandatory upload-bucket-denies-infected-reads: Upload bucket "${UPLOADS}" must deny reads (s3:GetObject, s3:GetObjectVersion, torrents, replication) of objects tagged Infected=true to all principals but the scanner: BucketPolicy "bw-uploads-policy" does not deny s3:GetObject, s3:GetObjectVersion`,
    ]);
  });
});
