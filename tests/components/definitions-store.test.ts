import assert from "node:assert/strict";
import type * as Components from "../../components";
import { handlerCodeDir, layerZipPath } from "../../components/artifacts";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import { AccessRuleSids } from "../../core/access-rule";
import { LAMBDA_HANDLER, LAMBDA_RUNTIME } from "../../core/artifacts";
import { ConfigError } from "../../core/errors";
import { parseUpdaterConfig } from "../../core/handler-config";
import { wildcardGrants } from "../../core/iam";
import { UpdaterMetrics } from "../../core/metrics";
import { staleDefinitionsSeconds } from "../../core/schedule";
import { installPulumiMocks, type PulumiRecorder, type RecordedResource } from "../support/pulumi-mocks";
import {
  archivePath,
  componentTree,
  dependsOn,
  onlyWithin,
  policyOf,
  rolePolicyOfFunction,
  within,
} from "./graph";

function load(): typeof Components {
  // After the mocks are installed: mocha runs every test file in one process, and mocks are global.
  return require("../../components");
}

describe("components/DefinitionsStore", () => {
  let rec: PulumiRecorder;
  let tree: RecordedResource[];
  let bucket: RecordedResource;
  let updater: RecordedResource;

  before(async () => {
    rec = installPulumiMocks();
    const { DefinitionsStore } = load();
    new DefinitionsStore("defs", {});
    new DefinitionsStore("defs-x86", {
      architecture: "x86_64",
      schedule: "cron(5 3 * * ? *)",
      updateOnCreate: false,
      prefix: "sigs",
    });
    await rec.settle();
    tree = componentTree(rec, ComponentTypes.DefinitionsStore, "defs");
    bucket = onlyWithin(tree, T.bucket);
    updater = onlyWithin(tree, T.function);
  });

  describe("the definitions bucket", () => {
    const settings: Array<[string, string, (r: RecordedResource) => unknown, unknown]> = [
      [
        "blocks every kind of public access",
        T.publicAccessBlock,
        (r) => [
          r.inputs.blockPublicAcls,
          r.inputs.blockPublicPolicy,
          r.inputs.ignorePublicAcls,
          r.inputs.restrictPublicBuckets,
        ],
        [true, true, true, true],
      ],
      [
        "enforces bucket-owner ownership, so no ACL can open an object",
        T.ownershipControls,
        (r) => r.inputs.rule.objectOwnership,
        "BucketOwnerEnforced",
      ],
      [
        "encrypts at rest",
        T.encryption,
        (r) => r.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
        "AES256",
      ],
      ["keeps versions", T.versioning, (r) => r.inputs.versioningConfiguration.status, "Enabled"],
      [
        "expires replaced versions of the database after a week",
        T.lifecycle,
        (r) => [
          r.inputs.rules[0].noncurrentVersionExpiration.noncurrentDays,
          r.inputs.rules[0].filter.prefix,
        ],
        [7, "clamav/"],
      ],
    ];
    for (const [title, type, pick, expected] of settings) {
      it(title, () => {
        const r = onlyWithin(tree, type);
        assert.equal(r.inputs.bucket, bucket.state.id);
        assert.deepEqual(pick(r), expected);
      });
    }

    it("denies every request made without TLS", () => {
      const policy = policyOf(onlyWithin(tree, T.bucketPolicy));
      assert.deepEqual(
        policy.Statement.map((s) => s.Sid),
        [AccessRuleSids.tlsOnly],
      );
      assert.deepEqual(policy.Statement[0].Resource, [bucket.state.arn, `${bucket.state.arn}/*`]);
    });

    it("writes its policy only after the public access block and ownership are in place", () => {
      const policy = onlyWithin(tree, T.bucketPolicy);
      assert.ok(dependsOn(policy, onlyWithin(tree, T.publicAccessBlock)));
      assert.ok(dependsOn(policy, onlyWithin(tree, T.ownershipControls)));
    });
  });

  describe("the updater", () => {
    it("runs the updater bundle on the current Node runtime", async () => {
      assert.equal(updater.inputs.runtime, LAMBDA_RUNTIME);
      assert.equal(updater.inputs.handler, LAMBDA_HANDLER);
      assert.equal(await archivePath(updater.inputs.code), handlerCodeDir("arm64", "updater"));
    });

    it("carries the freshclam layer built for its architecture", async () => {
      const layer = onlyWithin(tree, T.layerVersion);
      assert.equal(await archivePath(layer.inputs.code), layerZipPath("freshclam", "arm64"));
      assert.deepEqual(layer.inputs.compatibleArchitectures, ["arm64"]);
      assert.deepEqual(layer.inputs.compatibleRuntimes, [LAMBDA_RUNTIME]);
      assert.deepEqual(updater.inputs.layers, [layer.state.arn]);
      assert.deepEqual(updater.inputs.architectures, ["arm64"]);
    });

    it("hands the handler an environment its own parser reads back as this bucket and prefix", () => {
      const config = parseUpdaterConfig(updater.inputs.environment.variables);
      assert.equal(config.definitionsBucket, bucket.state.bucket);
      assert.equal(config.definitionsPrefix, "clamav/");
      assert.equal(config.officialDatabases, true);
    });

    it("has room to test-load the database it publishes", () => {
      assert.equal(updater.inputs.memorySize, 2048);
      assert.equal(updater.inputs.ephemeralStorage.size, 1312);
    });

    it("may write only under its prefix of its own bucket, and its own logs, with no wildcard grant", () => {
      const policy = rolePolicyOfFunction(tree, updater);
      const logGroup = onlyWithin(tree, T.logGroup);
      assert.deepEqual(wildcardGrants(policy), []);
      for (const s of policy.Statement) {
        for (const resource of [s.Resource].flat())
          assert.ok(
            resource.startsWith(bucket.state.arn) ||
              resource === `${logGroup.state.arn}:*` ||
              // Definitions Updated, on the account's default bus only (rescan.test.ts).
              resource === "arn:aws:events:us-east-1:123456789012:event-bus/default",
            resource,
          );
      }
      assert.equal(updater.inputs.loggingConfig.logGroup, logGroup.state.name);
    });

    it("is assumable by Lambda only", () => {
      const role = onlyWithin(tree, T.role);
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
        Service: "lambda.amazonaws.com",
      });
    });
  });

  describe("the schedule", () => {
    it("runs the updater twice a day by default", () => {
      assert.equal(onlyWithin(tree, T.eventRule).inputs.scheduleExpression, "rate(12 hours)");
    });

    it("targets the updater and lets EventBridge invoke it from that rule only", () => {
      const rule = onlyWithin(tree, T.eventRule);
      const target = onlyWithin(tree, T.eventTarget);
      const permission = onlyWithin(tree, T.permission);
      assert.equal(target.inputs.rule, rule.state.name);
      assert.equal(target.inputs.arn, updater.state.arn);
      assert.deepEqual(
        [permission.inputs.principal, permission.inputs.sourceArn, permission.inputs.function],
        ["events.amazonaws.com", rule.state.arn, updater.state.name],
      );
    });

    it("invokes the updater once at creation, after it may write the bucket", () => {
      const invocation = onlyWithin(tree, T.invocation);
      assert.equal(invocation.inputs.functionName, updater.state.name);
      assert.ok(dependsOn(invocation, onlyWithin(tree, T.rolePolicy)));
    });

    it("is not retried by Lambda after a failed run: the schedule is the retry, hourly at most", () => {
      const config = onlyWithin(tree, T.eventInvokeConfig);
      assert.equal(config.inputs.functionName, updater.state.name);
      assert.equal(config.inputs.maximumRetryAttempts, 0);
    });

    it("raises an alarm when the updater fails", () => {
      const alarm = within(tree, T.metricAlarm).find((a) => a.inputs.namespace === "AWS/Lambda");
      assert.ok(alarm);
      assert.deepEqual(
        [alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.dimensions.FunctionName],
        ["AWS/Lambda", "Errors", updater.state.name],
      );
    });
  });

  describe("definitions that could not be fetched (ClamAV's mirror refusing the account)", () => {
    const alarmOn = (field: string) => {
      const filter = within(tree, T.logMetricFilter).find(
        (f) => f.inputs.metricTransformation.name === field,
      );
      assert.ok(filter, `no metric filter for ${field}`);
      const alarm = within(tree, T.metricAlarm).find(
        (a) =>
          a.inputs.metricName === field &&
          a.inputs.namespace === filter.inputs.metricTransformation.namespace,
      );
      assert.ok(alarm, `no alarm on ${field}`);
      return { filter, alarm };
    };

    it("counts the updater's DefinitionsMissing from its own log group, apart from other stacks", () => {
      const { filter } = alarmOn(UpdaterMetrics.definitionsMissing);
      assert.equal(filter.inputs.logGroupName, onlyWithin(tree, T.logGroup).state.name);
      assert.equal(filter.inputs.metricTransformation.value, "$.DefinitionsMissing");
      assert.ok(filter.inputs.metricTransformation.namespace.includes(updater.state.name));
    });

    it("alarms within a minute of a run that published no database", () => {
      const { alarm } = alarmOn(UpdaterMetrics.definitionsMissing);
      assert.deepEqual(
        [alarm.inputs.period, alarm.inputs.evaluationPeriods, alarm.inputs.threshold],
        [60, 1, 1],
      );
    });

    it("alarms when the manifest is older than two missed updates", () => {
      const { alarm } = alarmOn(UpdaterMetrics.definitionsAgeSeconds);
      assert.equal(alarm.inputs.threshold, staleDefinitionsSeconds("rate(12 hours)"));
    });

    it("reports the first update's status instead of failing the deploy", async () => {
      const { updateStatusOf } = require("../../components/definitions-store");
      assert.equal(updateStatusOf(JSON.stringify({ status: "cool-down" })), "cool-down");
      assert.equal(updateStatusOf("not json"), "unknown");
    });
  });

  describe("options", () => {
    let other: RecordedResource[];
    before(() => {
      other = componentTree(rec, ComponentTypes.DefinitionsStore, "defs-x86");
    });

    it("builds for x86_64 when asked, layer and function alike", async () => {
      assert.equal(
        await archivePath(onlyWithin(other, T.layerVersion).inputs.code),
        layerZipPath("freshclam", "x86_64"),
      );
      assert.deepEqual(onlyWithin(other, T.function).inputs.architectures, ["x86_64"]);
    });

    it("takes a cron schedule at a fixed minute", () => {
      assert.equal(onlyWithin(other, T.eventRule).inputs.scheduleExpression, "cron(5 3 * * ? *)");
    });

    it("skips the first invocation when asked", () => {
      assert.equal(within(other, T.invocation).length, 0);
    });

    it("hands a custom prefix, slash added, to the updater and its permissions alike", () => {
      const fn = onlyWithin(other, T.function);
      assert.equal(parseUpdaterConfig(fn.inputs.environment.variables).definitionsPrefix, "sigs/");
      const write = rolePolicyOfFunction(other, fn).Statement.find((s) => s.Sid === "ReadWriteDefinitions");
      assert.match(String(write?.Resource), /\/sigs\/\*$/);
    });
  });

  describe("bad arguments", () => {
    const table: Array<[string, Components.DefinitionsStoreArgs, string]> = [
      ["rejects a schedule more often than hourly, naming it", { schedule: "rate(10 minutes)" }, "schedule"],
      ["rejects updater memory too small to load the database, naming it", { memoryMb: 1024 }, "memoryMb"],
    ];
    for (const [title, args, setting] of table) {
      it(title, () => {
        const { DefinitionsStore } = load();
        assert.throws(
          () => new DefinitionsStore(`bad-${setting}`, { ...args }),
          (e: unknown) => e instanceof ConfigError && e.setting === setting,
        );
      });
    }
  });
});
