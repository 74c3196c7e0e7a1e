import assert from "node:assert/strict";
import type * as Components from "../../components";
import { handlerCodeDir, layerZipPath } from "../../components/artifacts";
import { ComponentTypes, ManagedResourceTypes as T } from "../../components/types";
import { AccessRuleSids, type PolicyStatement, SCANNER_OBJECT_ACTIONS } from "../../core/access-rule";
import { LAMBDA_RUNTIME } from "../../core/artifacts";
import { ConfigError } from "../../core/errors";
import { engineMaxScanTimeMs, parseScannerConfig } from "../../core/handler-config";
import { wildcardGrants } from "../../core/iam";
import { ScannerMetrics } from "../../core/metrics";
import * as size from "../../core/sizing";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { renderClamdConf } from "../../handlers/shared/clamd-conf";
import { authorize, s3, sessionOf } from "../support/policy-eval";
import {
  installPulumiMocks,
  invokeError,
  MOCK_ACCOUNT,
  MOCK_REGION,
  type PulumiMockOptions,
  type PulumiRecorder,
  type RecordedResource,
} from "../support/pulumi-mocks";
import {
  archivePath,
  componentTree,
  dependsOn,
  onlyWithin,
  policyOf,
  rolePolicyOfFunction,
  waitsFor,
  within,
} from "./graph";

const DEFINITIONS = { bucketName: "defs", bucketArn: "arn:aws:s3:::defs", prefix: "clamav/" };
const CALLERS: PolicyStatement = {
  Sid: "AllowCdnRead",
  Effect: "Allow",
  Principal: { Service: "cloudfront.amazonaws.com" },
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::uploads/*",
};

function load(): typeof Components {
  return require("../../components");
}

describe("components/UploadScanner with a new bucket and the queue trigger", () => {
  let rec: PulumiRecorder;
  let tree: RecordedResource[];
  let bucket: RecordedResource;
  let fn: RecordedResource;
  let queue: RecordedResource;
  let deadLetters: RecordedResource;

  before(async () => {
    rec = installPulumiMocks();
    const { UploadScanner } = load();
    new UploadScanner("photos", {
      newBucket: true,
      definitions: DEFINITIONS,
      policyStatements: [CALLERS],
      extraNotifications: {
        topics: [{ topicArn: "arn:aws:sns:us-east-1:123456789012:removed", events: ["s3:ObjectRemoved:*"] }],
      },
    });
    await rec.settle();
    tree = componentTree(rec, ComponentTypes.UploadScanner, "photos");
    bucket = onlyWithin(tree, T.bucket);
    fn = onlyWithin(tree, T.function);
    queue = rec.one(T.queue, "photos-scanner-events");
    deadLetters = rec.one(T.queue, "photos-scanner-dead-letters");
  });

  describe("the bucket policy", () => {
    let policy: ReturnType<typeof policyOf>;
    let scannerRoleArn: string;
    before(() => {
      policy = policyOf(onlyWithin(tree, T.bucketPolicy));
      scannerRoleArn = onlyWithin(tree, T.role).state.arn;
    });

    it("names the created bucket from invokes (account, region, project, stack), not by S3's autonaming", () => {
      assert.match(bucket.inputs.bucket, /^photos-uploads-[0-9a-f]{12}$/);
      assert.equal(bucket.inputs.bucketPrefix, undefined);
    });

    it("is written on the upload bucket, after its public access block and ownership", () => {
      const r = onlyWithin(tree, T.bucketPolicy);
      assert.equal(r.inputs.bucket, bucket.state.bucket);
      assert.ok(waitsFor(tree, r, onlyWithin(tree, T.publicAccessBlock)));
      assert.ok(waitsFor(tree, r, onlyWithin(tree, T.ownershipControls)));
    });

    it("keeps the caller's own statement, unchanged", () => {
      assert.deepEqual(policy.Statement[0], CALLERS);
    });

    it("holds every statement of the access rule", () => {
      const sids = policy.Statement.map((s) => s.Sid);
      for (const sid of [
        AccessRuleSids.denyInfected,
        AccessRuleSids.denyUnscanned,
        AccessRuleSids.denyUntagged,
        AccessRuleSids.denyVerdictKeys,
        AccessRuleSids.denyInfectedTagChanges,
        AccessRuleSids.denyCopies,
        AccessRuleSids.denyTorrent,
        AccessRuleSids.tlsOnly,
      ])
        assert.ok(sids.includes(sid), sid);
    });

    it("denies reads of infected objects on condition of the Infected tag, except to the scanner role", () => {
      const deny = policy.Statement.find((s) => s.Sid === AccessRuleSids.denyInfected);
      assert.deepEqual(deny?.Condition, {
        StringEquals: { "s3:ExistingObjectTag/Infected": "true" },
        StringNotEquals: { "aws:PrincipalArn": [scannerRoleArn] },
      });
    });

    const object = (tags: Record<string, string>) => ({
      bucket: String(bucket.state.bucket),
      key: "a.jpg",
      tags,
    });
    const requests: Array<
      [
        string,
        "reader" | "scanner",
        (tags: Record<string, string>) => ReturnType<typeof s3.getObject>,
        Record<string, string>,
        boolean,
      ]
    > = [
      [
        "denies a reader an infected object",
        "reader",
        (t) => s3.getObject(object(t)),
        { Infected: "true" },
        true,
      ],
      ["denies a reader an unscanned object", "reader", (t) => s3.getObject(object(t)), {}, true],
      [
        "lets a reader have a clean object",
        "reader",
        (t) => s3.getObject(object(t)),
        { Infected: "false" },
        false,
      ],
      [
        "lets the scanner read an unscanned object",
        "scanner",
        (t) => s3.getObjectVersion(object(t)),
        {},
        false,
      ],
      [
        "lets the scanner tag an object",
        "scanner",
        (t) => s3.putObjectVersionTagging(object(t), { Infected: "false" }),
        {},
        false,
      ],
      [
        "denies a reader forging a verdict",
        "reader",
        (t) => s3.putObjectTagging(object(t), { Infected: "false" }),
        {},
        true,
      ],
      [
        "lets a reader upload with tags of its own",
        "reader",
        () => s3.putObject(object({}), { project: "x" }),
        {},
        false,
      ],
    ];
    for (const [title, who, call, tags, denied] of requests) {
      it(title, async () => {
        const caller = sessionOf(
          who === "scanner" ? scannerRoleArn : `arn:aws:iam::${MOCK_ACCOUNT}:role/reader`,
        );
        const decision = await authorize({ [String(bucket.state.bucket)]: policy }, caller, call(tags));
        assert.equal(!decision.allowed, denied);
      });
    }
  });

  describe("the trigger", () => {
    it("sends every object-created and tag-change event of the bucket to the queue", () => {
      const notification = onlyWithin(tree, T.bucketNotification);
      assert.equal(notification.inputs.bucket, bucket.state.bucket);
      assert.deepEqual(notification.inputs.queues, [
        { queueArn: queue.state.arn, events: ["s3:ObjectCreated:*", "s3:ObjectTagging:*"] },
      ]);
    });

    it("writes the notification after the queue accepts the bucket's events", () => {
      assert.ok(dependsOn(onlyWithin(tree, T.bucketNotification), onlyWithin(tree, T.queuePolicy)));
    });

    it("keeps the caller's own notification entries beside the scanner's", () => {
      assert.deepEqual(
        onlyWithin(tree, T.bucketNotification).inputs.topics.map((t: { events: string[] }) => t.events),
        [["s3:ObjectRemoved:*"]],
      );
    });

    it("lets S3 send to the queue for this bucket of this account only", () => {
      const statement = policyOf(onlyWithin(tree, T.queuePolicy)).Statement[0];
      assert.deepEqual(statement.Principal, { Service: "s3.amazonaws.com" });
      assert.equal(statement.Resource, queue.state.arn);
      assert.deepEqual(statement.Condition, {
        ArnEquals: { "aws:SourceArn": bucket.state.arn },
        StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT },
      });
    });

    it("feeds the queue to the scanner, reporting failures per object", () => {
      const mapping = onlyWithin(tree, T.eventSourceMapping);
      assert.equal(mapping.inputs.eventSourceArn, queue.state.arn);
      assert.equal(mapping.inputs.functionName, fn.state.arn);
      assert.deepEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
      assert.deepEqual([mapping.inputs.batchSize, mapping.inputs.scalingConfig.maximumConcurrency], [1, 5]);
    });

    it("makes the mapping only once the scanner may read the queue", () => {
      assert.ok(dependsOn(onlyWithin(tree, T.eventSourceMapping), onlyWithin(tree, T.rolePolicy)));
    });

    it("hides a message while it is being scanned, and no longer than a minute past the scanner's timeout", () => {
      // Lambda refuses a mapping whose queue hides messages for less than the function's timeout.
      assert.ok(queue.inputs.visibilityTimeoutSeconds >= fn.inputs.timeout);
      assert.ok(queue.inputs.visibilityTimeoutSeconds <= fn.inputs.timeout + 60);
    });

    it("moves an event to the dead-letter queue after the back-off's tries, within minutes", () => {
      const redrive = JSON.parse(queue.inputs.redrivePolicy);
      assert.equal(redrive.deadLetterTargetArn, deadLetters.state.arn);
      assert.equal(redrive.maxReceiveCount, size.QUEUE_MAX_RECEIVE_COUNT);
      assert.ok(size.backOffBeforeDeadLetterSeconds() <= 3600);
    });

    it("alarms on the age of the oldest waiting upload and on any dead letter", () => {
      const queueAlarms = within(tree, T.metricAlarm).filter((a) => a.inputs.namespace === "AWS/SQS");
      const alarms = queueAlarms.map((a) => [a.inputs.metricName, a.inputs.dimensions.QueueName]);
      assert.deepEqual(
        alarms.sort(),
        [
          ["ApproximateAgeOfOldestMessage", queue.state.name],
          ["ApproximateNumberOfMessagesVisible", deadLetters.state.name],
        ].sort(),
      );
      const age = within(tree, T.metricAlarm).find(
        (a) => a.inputs.metricName === "ApproximateAgeOfOldestMessage",
      );
      assert.equal(age?.inputs.threshold, 1800);
    });
  });

  describe("the scanner function", () => {
    it("runs the scanner bundle on the current Node runtime", async () => {
      assert.equal(fn.inputs.runtime, LAMBDA_RUNTIME);
      assert.equal(await archivePath(fn.inputs.code), handlerCodeDir("arm64", "scanner"));
    });

    it("carries the scanner layer built for its architecture", async () => {
      const layer = onlyWithin(tree, T.layerVersion);
      assert.equal(await archivePath(layer.inputs.code), layerZipPath("scanner", "arm64"));
      assert.deepEqual(fn.inputs.layers, [layer.state.arn]);
      assert.deepEqual(fn.inputs.architectures, ["arm64"]);
    });

    it("is sized for the official database and the largest object", () => {
      assert.equal(fn.inputs.memorySize, size.DEFAULT_SCANNER_MEMORY_MB);
      assert.equal(fn.inputs.timeout, size.DEFAULT_SCANNER_TIMEOUT_SECONDS);
      assert.equal(fn.inputs.ephemeralStorage.size, size.requiredScannerStorageMb(2_000_000_000));
    });

    it("is updated whenever its role is replaced, so Lambda renews its KMS grant for the new role", () => {
      const role = onlyWithin(tree, T.role);
      assert.ok(role.state.uniqueId);
      assert.ok(fn.inputs.description.includes(role.state.uniqueId), fn.inputs.description);
    });

    it("deploys on an account capped at 3,008 MB", () => {
      assert.ok(fn.inputs.memorySize <= 3008, `${fn.inputs.memorySize}`);
    });

    it("turns clamd's concurrent reload off at the default memory, which cannot hold two engines", () => {
      const config = parseScannerConfig(fn.inputs.environment.variables);
      assert.equal(config.concurrentReload, false);
      const maxScanTimeMs = engineMaxScanTimeMs(config.scanTimeoutMs);
      const conf = renderClamdConf({
        socketPath: "s",
        databaseDir: "d",
        tempDir: "t",
        maxScanTimeMs,
        ...config,
      });
      assert.match(conf, /^ConcurrentDatabaseReload no$/m);
    });

    it("hands the handler an environment its own parser reads back as these definitions and tags", () => {
      const config = parseScannerConfig(fn.inputs.environment.variables);
      assert.deepEqual([config.definitionsBucket, config.definitionsPrefix], ["defs", "clamav/"]);
      assert.deepEqual(config.tags, DEFAULT_TAG_SCHEMA);
      assert.equal(config.maxObjectBytes, 2_000_000_000);
    });

    it("sends verdict events to the account's default bus, the only bus its role may put events on", () => {
      const bus = `arn:aws:events:${MOCK_REGION}:${MOCK_ACCOUNT}:event-bus/default`;
      assert.equal(parseScannerConfig(fn.inputs.environment.variables).eventBusName, bus);
      const grant = rolePolicyOfFunction(tree, fn).Statement.filter((s) =>
        ([] as string[]).concat(s.Action ?? []).includes("events:PutEvents"),
      );
      assert.deepEqual(
        grant.map((s) => s.Resource),
        [bus],
      );
    });

    it("may read the definitions, scan and tag uploads, consume its queue and write its logs, with no wildcard grant", () => {
      const policy = rolePolicyOfFunction(tree, fn);
      assert.deepEqual(wildcardGrants(policy), []);
      const bySid = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
      assert.deepEqual(bySid.ScanAndTagUploads.Action, [...SCANNER_OBJECT_ACTIONS]);
      assert.equal(bySid.ScanAndTagUploads.Resource, `${bucket.state.arn}/*`);
      assert.equal(bySid.ReadDefinitions.Resource, "arn:aws:s3:::defs/clamav/*");
      assert.equal(bySid.ConsumeUploadEvents.Resource, queue.state.arn);
      assert.equal(bySid.WriteOwnLogs.Resource, `${onlyWithin(tree, T.logGroup).state.arn}:*`);
      assert.equal(bySid.DeadLetterFailedEvents, undefined);
    });

    it("alarms on the first verdict forgery attempt, counted from its own log group", () => {
      const field = ScannerMetrics.verdictForgeryAttempts;
      const filter = within(tree, T.logMetricFilter).find(
        (f) => f.inputs.metricTransformation.name === field,
      );
      assert.ok(filter, `no metric filter for ${field}`);
      assert.equal(filter.inputs.logGroupName, onlyWithin(tree, T.logGroup).state.name);
      assert.equal(filter.inputs.metricTransformation.value, `$.${field}`);
      const alarm = within(tree, T.metricAlarm).find((a) => a.inputs.metricName === field);
      assert.ok(alarm, `no alarm on ${field}`);
      assert.equal(alarm.inputs.namespace, filter.inputs.metricTransformation.namespace);
      assert.ok(alarm.inputs.namespace.includes(fn.state.name), alarm.inputs.namespace);
      assert.deepEqual([alarm.inputs.statistic, alarm.inputs.threshold], ["Sum", 1]);
    });
  });
});

describe("components/UploadScanner: one write to a bucket's configuration at a time", () => {
  let tree: RecordedResource[];
  let topicPolicy: RecordedResource;

  before(async () => {
    const rec = installPulumiMocks();
    const { UploadScanner } = load();
    const aws = require("@pulumi/aws");
    const policy = new aws.sns.TopicPolicy("removed-topic-policy", {
      arn: "arn:aws:sns:us-east-1:123456789012:removed",
      policy: "{}",
    });
    new UploadScanner("ordered", {
      newBucket: { noncurrentVersionDays: 10, abortIncompleteUploadDays: 2 },
      definitions: DEFINITIONS,
      extraNotifications: {
        topics: [{ topicArn: "arn:aws:sns:us-east-1:123456789012:removed", events: ["s3:ObjectRemoved:*"] }],
        dependsOn: [policy],
      },
    });
    await rec.settle();
    tree = componentTree(rec, ComponentTypes.UploadScanner, "ordered");
    topicPolicy = rec.one("aws:sns/topicPolicy:TopicPolicy", "removed-topic-policy");
  });

  it("chains settings, lifecycle, policy and notification, each waiting for the one before", () => {
    const chain = [
      T.publicAccessBlock,
      T.ownershipControls,
      T.encryption,
      T.versioning,
      T.lifecycle,
      T.bucketPolicy,
      T.bucketNotification,
    ].map((type) => onlyWithin(tree, type));
    for (let i = 1; i < chain.length; i++)
      assert.ok(dependsOn(chain[i], chain[i - 1]), `${chain[i].type} does not wait for ${chain[i - 1].type}`);
  });

  it("lets the caller's destinations' permissions be in place before S3 checks them", () => {
    assert.ok(dependsOn(onlyWithin(tree, T.bucketNotification), topicPolicy));
  });

  it("expires old versions and abandoned multipart uploads after the days asked for", () => {
    const rules = onlyWithin(tree, T.lifecycle).inputs.rules;
    assert.deepEqual(
      rules.map((r: Record<string, unknown>) => [
        r.status,
        r.noncurrentVersionExpiration,
        r.abortIncompleteMultipartUpload,
      ]),
      [
        ["Enabled", { noncurrentDays: 10 }, undefined],
        ["Enabled", undefined, { daysAfterInitiation: 2 }],
      ],
    );
  });
});

describe("components/UploadScanner: a created bucket's lifecycle by default and turned off", () => {
  it("keeps old versions 30 days and abandoned uploads 7 by default, and nothing when both are 0", async () => {
    const rec = installPulumiMocks();
    const { UploadScanner } = load();
    new UploadScanner("lc-default", { newBucket: true, definitions: DEFINITIONS });
    new UploadScanner("lc-off", {
      newBucket: { noncurrentVersionDays: 0, abortIncompleteUploadDays: 0 },
      definitions: DEFINITIONS,
    });
    await rec.settle();
    const rules = onlyWithin(componentTree(rec, ComponentTypes.UploadScanner, "lc-default"), T.lifecycle)
      .inputs.rules;
    assert.deepEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 30 });
    assert.deepEqual(rules[1].abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
    assert.equal(within(componentTree(rec, ComponentTypes.UploadScanner, "lc-off"), T.lifecycle).length, 0);
  });
});

describe("components/UploadScanner with an existing bucket and the direct trigger", () => {
  let rec: PulumiRecorder;
  let tree: RecordedResource[];
  let fn: RecordedResource;
  const EXISTING = "acme-avatars";
  const EXISTING_ARN = `arn:aws:s3:::${EXISTING}`;
  const BREAK_GLASS = `arn:aws:iam::${MOCK_ACCOUNT}:role/malware-release`;
  const REPLICATION = `arn:aws:iam::${MOCK_ACCOUNT}:role/avatars-replication`;

  before(async () => {
    rec = installPulumiMocks();
    const { UploadScanner } = load();
    new UploadScanner("avatars", {
      existingBucketName: EXISTING,
      adoptExistingBucket: true,
      trigger: "direct",
      definitions: DEFINITIONS,
      scannerLayerArn: "arn:aws:lambda:us-east-1:123456789012:layer:shared:3",
      policyStatements: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ ...CALLERS, Resource: `${EXISTING_ARN}/*` }],
      }),
      failClosed: false,
      breakGlassRoleArns: [BREAK_GLASS],
      replicationRoleArns: [REPLICATION],
      serverSideCopies: { withinBucket: true, fromBuckets: ["acme-other-uploads"] },
    });
    await rec.settle();
    tree = componentTree(rec, ComponentTypes.UploadScanner, "avatars");
    fn = onlyWithin(tree, T.function);
  });

  it("creates no bucket, and writes the policy and notifications on the existing one", () => {
    assert.equal(within(tree, T.bucket).length, 0);
    assert.equal(onlyWithin(tree, T.bucketPolicy).inputs.bucket, EXISTING);
    assert.equal(onlyWithin(tree, T.bucketNotification).inputs.bucket, EXISTING);
  });

  it("writes the break-glass role, the replication role and the copy sources into the access rule", async () => {
    const policy = policyOf(onlyWithin(tree, T.bucketPolicy));
    const policies = { [EXISTING]: policy };
    const infected = { bucket: EXISTING, key: "eicar.com", tags: { Infected: "true" } };
    const clean = { bucket: EXISTING, key: "a.jpg", tags: { Infected: "false" } };
    const target = { bucket: EXISTING, key: "b.jpg" };
    const reader = sessionOf(`arn:aws:iam::${MOCK_ACCOUNT}:role/reader`);
    const decisions = await Promise.all([
      authorize(policies, sessionOf(BREAK_GLASS), s3.getObject(infected)),
      authorize(policies, reader, s3.getObject(infected)),
      authorize(policies, sessionOf(REPLICATION), s3.replicationRead(infected)),
      authorize(policies, reader, s3.replicationRead(clean)),
      authorize(policies, reader, s3.copyObject(clean, target)),
      authorize(policies, reader, s3.copyObject({ ...clean, bucket: "acme-other-uploads" }, target)),
      authorize(policies, reader, s3.copyObject({ ...clean, bucket: "planted" }, target)),
    ]);
    assert.deepEqual(
      decisions.map((d) => d.allowed),
      [true, false, true, false, true, true, false],
    );
  });

  it("keeps the caller's statements given as policy JSON", () => {
    assert.equal(policyOf(onlyWithin(tree, T.bucketPolicy)).Statement[0].Sid, CALLERS.Sid);
  });

  it("leaves out the fail-closed statements when fail-closed is off, keeping the seed's rule", () => {
    const sids = policyOf(onlyWithin(tree, T.bucketPolicy)).Statement.map((s) => s.Sid);
    assert.ok(sids.includes(AccessRuleSids.denyInfected));
    assert.ok(!sids.includes(AccessRuleSids.denyUnscanned));
    assert.ok(!sids.includes(AccessRuleSids.denyUntagged));
  });

  it("lets S3 invoke the scanner directly, for this bucket of this account only", () => {
    const permission = onlyWithin(tree, T.permission);
    assert.deepEqual(
      [
        permission.inputs.principal,
        permission.inputs.sourceArn,
        permission.inputs.sourceAccount,
        permission.inputs.function,
      ],
      ["s3.amazonaws.com", EXISTING_ARN, MOCK_ACCOUNT, fn.state.name],
    );
  });

  it("sends object-created events to the function, once S3 may invoke it", () => {
    const notification = onlyWithin(tree, T.bucketNotification);
    assert.deepEqual(notification.inputs.lambdaFunctions, [
      { lambdaFunctionArn: fn.state.arn, events: ["s3:ObjectCreated:*", "s3:ObjectTagging:*"] },
    ]);
    assert.deepEqual(notification.inputs.queues, []);
    assert.ok(dependsOn(notification, onlyWithin(tree, T.permission)));
  });

  it("caps the scanners S3 can start at once with reserved concurrency (5 by default)", () => {
    assert.equal(fn.inputs.reservedConcurrentExecutions, 5);
  });

  it("sends events Lambda gives up on to the dead-letter queue, which the role may write", () => {
    const config = onlyWithin(tree, T.eventInvokeConfig);
    const deadLetters = onlyWithin(tree, T.queue);
    assert.equal(config.inputs.destinationConfig.onFailure.destination, deadLetters.state.arn);
    const grant = rolePolicyOfFunction(tree, fn).Statement.find((s) => s.Sid === "DeadLetterFailedEvents");
    assert.equal(grant?.Resource, deadLetters.state.arn);
  });

  it("has no queue to consume, no mapping and no backlog alarm", () => {
    assert.equal(within(tree, T.eventSourceMapping).length, 0);
    assert.equal(within(tree, T.queuePolicy).length, 0);
    assert.deepEqual(
      within(tree, T.metricAlarm)
        .filter((a) => a.inputs.namespace === "AWS/SQS")
        .map((a) => a.inputs.metricName),
      ["ApproximateNumberOfMessagesVisible"],
    );
  });

  it("uses the shared layer instead of publishing its own", () => {
    assert.equal(within(tree, T.layerVersion).length, 0);
    assert.deepEqual(fn.inputs.layers, ["arn:aws:lambda:us-east-1:123456789012:layer:shared:3"]);
  });

  it("scopes the scanner's grants to the existing bucket", () => {
    const policy = rolePolicyOfFunction(tree, fn);
    assert.deepEqual(wildcardGrants(policy), []);
    assert.equal(policy.Statement.find((s) => s.Sid === "ScanAndTagUploads")?.Resource, `${EXISTING_ARN}/*`);
  });
});

describe("components/UploadScanner arguments", () => {
  before(() => {
    installPulumiMocks();
  });

  const table: Array<[string, Partial<Components.UploadScannerArgs>, RegExp]> = [
    [
      "rejects both an existing bucket and a new one, naming both",
      { existingBucketName: "b", newBucket: true },
      /Only one of \[existingBucketName\] and \[newBucket\]/,
    ],
    [
      "rejects neither an existing bucket nor a new one, naming both",
      {},
      /One of \[existingBucketName\] and \[newBucket\] must be specified/,
    ],
    [
      "rejects a queue-only setting with the direct trigger, naming both",
      { newBucket: true, trigger: "direct", batchSize: 5 },
      /\[batchSize\] applies only to trigger "queue", and \[trigger\] is "direct"/,
    ],
    [
      "rejects /tmp too small for the largest object",
      { newBucket: true, ephemeralStorageMb: 512, maxObjectBytes: 1_000_000_000 },
      /\[maxObjectBytes\]/,
    ],
  ];
  for (const [title, args, message] of table) {
    it(title, () => {
      const { UploadScanner } = load();
      assert.throws(
        () => new UploadScanner(`bad-${title.length}`, { definitions: DEFINITIONS, ...args }),
        message,
      );
    });
  }
});

describe("components/UploadScanner names", () => {
  const LONG = `bucketwarden-production-${"a".repeat(63)}`;
  let tree: RecordedResource[];

  before(async () => {
    const rec = installPulumiMocks();
    const { UploadScanner } = load();
    new UploadScanner(LONG, {
      existingBucketName: "a".repeat(63),
      adoptExistingBucket: true,
      trigger: "direct",
      definitions: DEFINITIONS,
    });
    await rec.settle();
    tree = componentTree(rec, ComponentTypes.UploadScanner, LONG);
  });

  const limits: Array<[string, number]> = [
    [T.function, 64],
    [T.role, 64],
    [T.queue, 80],
    [T.permission, 100],
    [T.rolePolicy, 128],
  ];
  for (const [type, limit] of limits) {
    it(`leaves every ${type.split(":").pop()} name room for Pulumi's suffix under AWS's ${limit}, even for a 63-character bucket`, () => {
      for (const r of within(tree, type))
        assert.ok(r.name.length + 8 <= limit, `${r.name} (${r.name.length})`);
    });
  }
});

describe("components/UploadScanner: the scanner role's name, global to the account", () => {
  async function roleIn(region: string, stack = "dev"): Promise<RecordedResource> {
    const rec = installPulumiMocks({
      stack,
      invokes: { "aws:index/getRegion:getRegion": () => ({ name: region, region, id: region }) },
    });
    const { UploadScanner } = load();
    new UploadScanner("photos", { newBucket: true, definitions: DEFINITIONS });
    await rec.settle();
    return onlyWithin(componentTree(rec, ComponentTypes.UploadScanner, "photos"), T.role);
  }

  it("differs between two regions of one account, so the second region's deploy does not collide", async () => {
    const [west, east] = [await roleIn("eu-west-1"), await roleIn("us-east-1")];
    assert.match(west.inputs.name, /^photos-scanner-role-[0-9a-f]{8}$/);
    assert.notEqual(west.inputs.name, east.inputs.name);
  });

  it("differs between two stacks of one region", async () => {
    assert.notEqual(
      (await roleIn("eu-west-1", "dev")).inputs.name,
      (await roleIn("eu-west-1", "prod")).inputs.name,
    );
  });

  it("is the name the function runs as and the bucket policy exempts", async () => {
    const role = await roleIn("eu-west-1");
    assert.equal(role.state.arn, `arn:aws:iam::${MOCK_ACCOUNT}:role/${role.inputs.name}`);
  });
});

describe("components/UploadScanner: a bucket encrypted with a customer-managed KMS key", () => {
  const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  it("lets the scanner decrypt through S3 in the stack's region only", async () => {
    const rec = installPulumiMocks();
    const { UploadScanner } = load();
    new UploadScanner("sealed", {
      existingBucketName: "acme-sealed",
      adoptExistingBucket: true,
      kmsKeyArns: [KEY],
      definitions: DEFINITIONS,
    });
    await rec.settle();
    const tree = componentTree(rec, ComponentTypes.UploadScanner, "sealed");
    const role = onlyWithin(tree, T.role);
    const grant = within(tree, T.rolePolicy)
      .filter((p) => p.inputs.role === role.state.name)
      .flatMap((p) => policyOf(p).Statement)
      .find((s) => s.Sid === "DecryptUploadsThroughS3");
    assert.deepEqual(grant?.Resource, [KEY]);
    assert.deepEqual(grant?.Condition, { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
  });
});

describe("components/UploadScanner with a named event bus", () => {
  it("hands the scanner the bus named and lets its role put events on that bus only", async () => {
    const rec = installPulumiMocks();
    const { UploadScanner } = load();
    const bus = `arn:aws:events:${MOCK_REGION}:${MOCK_ACCOUNT}:event-bus/security`;
    new UploadScanner("routed", {
      existingBucketName: "acme-routed",
      adoptExistingBucket: true,
      definitions: DEFINITIONS,
      eventBusArn: bus,
    });
    await rec.settle();
    const tree = componentTree(rec, ComponentTypes.UploadScanner, "routed");
    const fn = onlyWithin(tree, T.function);
    assert.equal(parseScannerConfig(fn.inputs.environment.variables).eventBusName, bus);
    const grant = rolePolicyOfFunction(tree, fn).Statement.find((s) => s.Sid === "PublishVerdictEvents");
    assert.deepEqual([grant?.Action, grant?.Resource], ["events:PutEvents", bus]);
  });
});

describe("components/UploadScanner adopting an existing bucket", () => {
  const ADOPTED = "acme-legacy-uploads";

  for (const [title, optIn] of [
    ["refuses an existing bucket without adoptExistingBucket", {}],
    ["refuses an existing bucket with adoptExistingBucket: false", { adoptExistingBucket: false }],
  ] as const)
    it(`${title}, naming the bucket and the policy and notifications it would replace`, async () => {
      const rec = installPulumiMocks();
      const { UploadScanner } = load();
      assert.throws(
        () =>
          new UploadScanner("legacy", {
            existingBucketName: ADOPTED,
            definitions: DEFINITIONS,
            ...optIn,
          }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.setting, "adoptExistingBucket");
          assert.match(e.message, new RegExp(`existing bucket "${ADOPTED}"`));
          assert.match(
            e.message,
            /the bucket's one policy: pass the statements .* in policyStatements, or they are lost/,
          );
          assert.match(
            e.message,
            /its one notification configuration: pass its other entries .* in extraNotifications/,
          );
          assert.match(e.message, /Set adoptExistingBucket: true to accept/);
          return true;
        },
      );
      await rec.settle();
      assert.deepEqual(rec.ofType(T.bucketPolicy), []);
      assert.deepEqual(rec.ofType(T.bucketNotification), []);
    });

  it("writes the adopted bucket's policy and notification configuration once adoptExistingBucket is true", async () => {
    const rec = installPulumiMocks();
    const { UploadScanner } = load();
    new UploadScanner("legacy", {
      existingBucketName: ADOPTED,
      adoptExistingBucket: true,
      definitions: DEFINITIONS,
    });
    await rec.settle();
    assert.deepEqual(
      rec.ofType(T.bucketPolicy).map((p) => p.inputs.bucket),
      [ADOPTED],
    );
    assert.deepEqual(
      rec.ofType(T.bucketNotification).map((n) => n.inputs.bucket),
      [ADOPTED],
    );
    assert.deepEqual(rec.ofType(T.bucket), []);
  });

  it("rejects adoptExistingBucket beside newBucket, where there is nothing to adopt", () => {
    installPulumiMocks();
    const { UploadScanner } = load();
    assert.throws(
      () =>
        new UploadScanner("fresh", {
          newBucket: true,
          adoptExistingBucket: true,
          definitions: DEFINITIONS,
        }),
      /adoptExistingBucket: applies only to \[existingBucketName\]/,
    );
  });
});

describe("components/UploadScanner reading an adopted bucket's live policy", () => {
  const ADOPTED = "acme-legacy-uploads";
  const CLOUDFRONT = {
    Sid: "AllowCloudFrontRead",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: `arn:aws:s3:::${ADOPTED}/*`,
  };
  const UNNAMED = {
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:role/reporting` },
    Action: "s3:ListBucket",
    Resource: `arn:aws:s3:::${ADOPTED}`,
  };
  const livePolicy = (statements: object[]) => ({
    "aws:s3/getBucketPolicy:getBucketPolicy": (inputs: Record<string, string>) => ({
      bucket: inputs.bucket,
      id: inputs.bucket,
      region: "us-east-1",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    }),
  });
  /** The policy the component would write, or the error that stopped it. */
  async function adopt(
    invokes: PulumiMockOptions["invokes"],
    policyStatements?: object[],
  ): Promise<{ policy?: string; error?: Error; rec: PulumiRecorder }> {
    const rec = installPulumiMocks({ invokes });
    const { UploadScanner } = load();
    const scanner = new UploadScanner("legacy", {
      existingBucketName: ADOPTED,
      adoptExistingBucket: true,
      definitions: DEFINITIONS,
      policyStatements: policyStatements as PolicyStatement[] | undefined,
    });
    try {
      const policy = await (scanner.policy as unknown as { promise(): Promise<string> }).promise();
      await rec.settle();
      return { policy, rec };
    } catch (error) {
      return { error: error as Error, rec };
    }
  }

  it("refuses to replace a live policy whose statements were not passed, listing each of them", async () => {
    const { error, rec } = await adopt(livePolicy([CLOUDFRONT, UNNAMED]));
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(
      error.message,
      new RegExp(`the existing bucket "${ADOPTED}": it has 2 statements not passed`),
    );
    assert.match(error.message, /Sid "AllowCloudFrontRead"/);
    assert.ok(error.message.includes(JSON.stringify(UNNAMED)), error.message);
    assert.deepEqual(
      rec.invokes
        .filter((i) => i.token === "aws:s3/getBucketPolicy:getBucketPolicy")
        .map((i) => i.inputs.bucket),
      [ADOPTED],
    );
  });

  it("writes the policy once every live statement is passed, by Sid or by content", async () => {
    const { policy, error } = await adopt(livePolicy([CLOUDFRONT, UNNAMED]), [
      { ...CLOUDFRONT, Action: ["s3:GetObject"] },
      { Resource: UNNAMED.Resource, Action: UNNAMED.Action, Principal: UNNAMED.Principal, Effect: "Allow" },
    ]);
    assert.equal(error, undefined);
    const sids = (JSON.parse(policy as string) as { Statement: PolicyStatement[] }).Statement.map(
      (s) => s.Sid,
    );
    assert.ok(sids.includes("AllowCloudFrontRead"));
    assert.ok(sids.includes(AccessRuleSids.denyInfected));
  });

  it("takes a live policy holding the access rule as its own, so a statement left out is removed", async () => {
    const ours = { Sid: AccessRuleSids.denyInfected, Effect: "Deny", Principal: "*", Action: "s3:GetObject" };
    const { policy, error } = await adopt(livePolicy([ours, CLOUDFRONT]));
    assert.equal(error, undefined);
    assert.ok(!(policy as string).includes("AllowCloudFrontRead"));
  });

  it("adopts a bucket without a policy, which AWS's provider answers with an error", async () => {
    const { policy, error } = await adopt(undefined);
    assert.equal(error, undefined);
    assert.ok((policy as string).includes(AccessRuleSids.denyInfected));
  });

  it("stops on any other failure to read the policy, with its message", async () => {
    const { error } = await adopt({
      "aws:s3/getBucketPolicy:getBucketPolicy": () => {
        throw invokeError("AccessDenied: not allowed to s3:GetBucketPolicy");
      },
    });
    assert.match(String(error?.message), /AccessDenied/);
  });
});
