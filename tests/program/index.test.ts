import assert from "node:assert/strict";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import { ConfigError } from "../../core/errors";
import { parseScannerConfig } from "../../core/handler-config";
import { parseStackSettings } from "../../core/settings";
import { requiredScannerStorageMb } from "../../core/sizing";
import { outputValue, type PulumiRecorder } from "../support/pulumi-mocks";
import { loadProgram, projectConfig, recordProgram, stackConfig, stackFileConfig } from "./run-program";

describe("program: index.ts with Pulumi.dev.yaml", () => {
  let rec: PulumiRecorder;
  let exports: Record<string, unknown>;
  const config = stackConfig("dev");

  before(async () => {
    ({ rec, exports } = await recordProgram("dev"));
  });

  it("reads a stack file the settings parser accepts", () => {
    assert.doesNotThrow(() => parseStackSettings(config));
  });

  it("builds the pipeline under one MalwareScanning component named after the stack", () => {
    rec.one(ComponentTypes.MalwareScanning, "bucketwarden-dev");
    assert.equal(rec.ofType(ComponentTypes.DefinitionsStore).length, 1);
    assert.equal(rec.ofType(ComponentTypes.UploadScanner).length, 2);
  });

  it("creates the listed bucket and adopts the existing one without creating it", () => {
    const buckets = rec
      .ofType(T.bucket)
      .map((b) => b.name)
      .sort();
    assert.deepEqual(buckets, [
      "bucketwarden-dev-backlog-reports",
      "bucketwarden-dev-definitions-bucket",
      "bucketwarden-dev-photos-uploads",
    ]);
    const notified = rec.ofType(T.bucketNotification).map((n) => n.inputs.bucket);
    assert.ok(notified.includes("acme-dev-avatars"));
  });

  it("exports what backlog scans need: the job role, the report location and each bucket's scanner", async () => {
    const backlog = exports.backlogScanning as Record<string, unknown>;
    const role = rec.one(T.role, /backlog-job-role/);
    assert.equal(await outputValue(backlog.jobRoleArn as never), role.state.arn);
    assert.equal(
      await outputValue(backlog.reportBucketName as never),
      rec.one(T.bucket, "bucketwarden-dev-backlog-reports").state.bucket,
    );
    assert.equal(
      await outputValue(backlog.reportBucketArn as never),
      rec.one(T.bucket, "bucketwarden-dev-backlog-reports").state.arn,
    );
    assert.equal(backlog.reportPrefix, "reports/");
    const arns = (await outputValue(backlog.scannerFunctionArns as never)) as Record<string, string>;
    const scanners = rec.ofType(T.function).map((f) => f.state.arn);
    const names = (await outputValue(exports.scannerFunctionNames as never)) as Record<string, string>;
    assert.deepEqual(Object.keys(arns).sort(), Object.keys(names).sort());
    assert.equal(Object.keys(arns).length, 2);
    for (const [k, arn] of Object.entries(arns)) {
      assert.ok(scanners.includes(arn), arn);
      assert.ok(arn.endsWith(`:function:${names[k]}`), arn);
    }
  });

  it("exports bucket names, function names and the policies", async () => {
    const names = (await outputValue(exports.uploadBucketNames as never)) as Record<string, string>;
    assert.deepEqual(Object.keys(names).sort(), ["acme-dev-avatars", "photos"]);
    assert.equal(typeof (await outputValue(exports.definitionsBucketName as never)), "string");
    assert.equal(typeof (await outputValue(exports.updaterFunctionName as never)), "string");
    const functions = (await outputValue(exports.scannerFunctionNames as never)) as Record<string, string>;
    assert.deepEqual(Object.keys(functions).sort(), ["acme-dev-avatars", "photos"]);
    const policies = (await outputValue(exports.uploadBucketPolicies as never)) as Record<string, string>;
    assert.ok(JSON.parse(policies.photos).Statement.length > 0);
  });

  it("exports the first update's status and the alarms on missing and stale definitions", async () => {
    const definitions = exports.definitions as Record<string, never>;
    // The mocked Invocation answers {"ok": true}: no status, which the output says rather than failing.
    assert.equal(await outputValue(definitions.initialUpdateStatus), "unknown");
    for (const alarm of ["missingAlarm", "staleAlarm"])
      assert.equal(typeof (await outputValue(definitions[alarm])), "string", alarm);
  });

  it("keeps the existing bucket's own statement from bucketPolicyStatements", () => {
    const policy = rec.ofType(T.bucketPolicy).find((p) => p.inputs.bucket === "acme-dev-avatars");
    assert.equal(JSON.parse(policy?.inputs.policy).Statement[0].Sid, "AllowCloudFrontRead");
  });

  it("schedules the updater as the stack says", () => {
    const schedule = rec.ofType(T.eventRule).filter((r) => r.inputs.scheduleExpression !== undefined);
    assert.deepEqual(
      schedule.map((r) => r.inputs.scheduleExpression),
      ["cron(17 */6 * * ? *)"],
    );
  });

  it("hands the scanners the stack's object limit and sizes /tmp for it", () => {
    for (const fn of rec.ofType(T.function).filter((f) => f.name.endsWith("-scanner"))) {
      assert.equal(parseScannerConfig(fn.inputs.environment.variables).maxObjectBytes, 524_288_000);
      assert.equal(fn.inputs.ephemeralStorage.size, requiredScannerStorageMb(524_288_000));
    }
  });

  it("lets the throwaway stack destroy its created bucket, and keeps logs as long as it says", () => {
    assert.equal(rec.one(T.bucket, "bucketwarden-dev-photos-uploads").inputs.forceDestroy, true);
    for (const group of rec.ofType(T.logGroup)) assert.equal(group.inputs.retentionInDays, 14);
  });
});

describe("program: index.ts with a bad setting", () => {
  const base = stackConfig("dev");
  const table: Array<[string, Record<string, string>, string]> = [
    [
      "stops on a schedule more often than hourly, naming the setting",
      { "bucketwarden:updateSchedule": "rate(5 minutes)" },
      "bucketwarden:updateSchedule",
    ],
    [
      "stops on scanner memory too small for the engine, naming the setting",
      { "bucketwarden:scannerMemoryMb": "1536" },
      "bucketwarden:scannerMemoryMb",
    ],
    [
      "stops on a tag key in an unknown format, naming the setting",
      { "bucketwarden:tagKey": "Infected?" },
      "bucketwarden:tagKey",
    ],
    [
      "stops on a setting it does not know, naming it",
      { "bucketwarden:scannerMemory": "4096" },
      "bucketwarden:scannerMemory",
    ],
  ];
  for (const [title, bad, setting] of table) {
    it(title, () => {
      assert.throws(
        () => loadProgram({ ...base, ...bad }),
        (e: unknown) =>
          e instanceof ConfigError && e.setting === setting && e.message.startsWith(`${setting}: `),
      );
    });
  }
});

describe("program: the created buckets' lifecycle from the stack", () => {
  it("expires old versions after noncurrentVersionDays and abandoned uploads after a week", async () => {
    const { rec } = await recordProgram("dev", { "bucketwarden:noncurrentVersionDays": "14" });
    const lifecycles = rec.resources.filter((r) => r.type === T.lifecycle && r.name.includes("photos"));
    assert.equal(lifecycles.length, 1);
    assert.deepEqual(lifecycles[0].inputs.rules[0].noncurrentVersionExpiration, { noncurrentDays: 14 });
    assert.deepEqual(lifecycles[0].inputs.rules[1].abortIncompleteMultipartUpload, {
      daysAfterInitiation: 7,
    });
  });
});

describe("program: KMS grants only for buckets that name a key", () => {
  it("gives no scanner a KMS policy when bucketKmsKeyArns names none (IAM refuses an empty Resource)", async () => {
    const { rec } = await recordProgram("dev");
    const kms = rec.resources.filter(
      (r) => r.type === T.rolePolicy && String(r.inputs.policy).includes("kms:"),
    );
    assert.deepEqual(
      kms.map((r) => r.name),
      [],
    );
  });

  it("grants the scanner of the bucket that names a key, and only it", async () => {
    const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { rec } = await recordProgram("dev", {
      "bucketwarden:bucketKmsKeyArns": JSON.stringify({ "acme-dev-avatars": key }),
    });
    const kms = rec.resources.filter(
      (r) => r.type === T.rolePolicy && String(r.inputs.policy).includes("kms:"),
    );
    assert.equal(kms.length, 1);
    assert.ok(kms[0].name.includes("acme-dev-avatars"), kms[0].name);
    assert.deepEqual(JSON.parse(kms[0].inputs.policy).Statement[0].Resource, [key]);
  });
});

describe("program: adopting an existing bucket is an opt-in", () => {
  it("keeps the dev stack's opt-in beside the CloudFront statement its existing bucket must keep", () => {
    const config = stackFileConfig("dev");
    assert.equal(config["bucketwarden:adoptExistingBuckets"], true);
    assert.match(String(config["bucketwarden:bucketPolicyStatements"]), /AllowCloudFrontRead/);
  });

  it("stops the dev stack without the opt-in, naming the bucket it would take over", () => {
    assert.throws(
      () => loadProgram({ ...stackConfig("dev"), "bucketwarden:adoptExistingBuckets": "false" }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.setting, "bucketwarden:adoptExistingBuckets");
        assert.match(e.message, /"acme-dev-avatars"/);
        assert.match(
          e.message,
          /one policy.*bucketwarden:bucketPolicyStatements.*one notification configuration/,
        );
        return true;
      },
    );
  });

  it("runs a minimal stack, a region and one created bucket, without the opt-in", async () => {
    // What the CLI hands a stack whose file sets nothing else: Pulumi.yaml's defaults.
    const defaults = Object.fromEntries(
      Object.entries(projectConfig()).map(([k, d]) => [
        `bucketwarden:${k}`,
        typeof d.default === "string" ? d.default : JSON.stringify(d.default),
      ]),
    );
    const { rec } = loadProgram({
      ...defaults,
      "aws:region": "eu-west-1",
      "bucketwarden:uploadBuckets": '["photos"]',
    });
    await rec.settle();
    assert.equal(defaults["bucketwarden:adoptExistingBuckets"], "false");
    assert.equal(rec.ofType(ComponentTypes.UploadScanner).length, 1);
    assert.equal(rec.ofType(T.bucketPolicy).filter((p) => String(p.name).includes("photos")).length, 1);
  });
});

describe("program: actions on infected objects", () => {
  it("creates no quarantine bucket by default", async () => {
    const { rec } = await recordProgram("dev");
    assert.deepEqual(
      rec.resources.filter((r) => r.type === T.bucket && r.name.endsWith("-quarantine")).map((r) => r.name),
      [],
    );
  });

  it("gives every upload bucket's scanner a quarantine bucket and the delete the settings ask for", async () => {
    const { rec } = await recordProgram("dev", {
      "bucketwarden:quarantineInfected": "true",
      "bucketwarden:deleteInfected": "true",
    });
    const quarantines = rec.resources.filter((r) => r.type === T.bucket && r.name.endsWith("-quarantine"));
    const scanners = rec.resources.filter((r) => r.type === T.function && r.name.endsWith("-scanner"));
    assert.ok(scanners.length > 0);
    assert.equal(quarantines.length, scanners.length);
    for (const fn of scanners) {
      const config = parseScannerConfig(fn.inputs.environment.variables);
      assert.ok(
        quarantines.some((q) => q.inputs.bucket === config.quarantineBucket),
        `${fn.name}: ${config.quarantineBucket}`,
      );
      assert.equal(config.deleteInfected, true);
    }
  });

  it("stops a stack that deletes infected objects with no copy kept and no acknowledgement", () => {
    assert.throws(
      () => loadProgram({ ...stackConfig("dev"), "bucketwarden:deleteInfected": "true" }),
      (e: unknown) => e instanceof ConfigError && e.setting === "bucketwarden:deleteInfected",
    );
  });
});
