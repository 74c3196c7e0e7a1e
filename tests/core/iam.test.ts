import assert from "node:assert/strict";
import type { PolicyDocument, PolicyStatement } from "../../core/access-rule";
import { BucketwardenError } from "../../core/errors";
import {
  backlogJobPolicy,
  batchOperationsTrustPolicy,
  callerStatements,
  eventQueuePolicy,
  kmsDecryptPolicy,
  lambdaTrustPolicy,
  logWriteStatement,
  scannerPolicy,
  updaterPolicy,
  wildcardGrants,
} from "../../core/iam";
import {
  ACCOUNT,
  type Caller,
  identityAllows,
  resourcePolicyDecision,
  servicePrincipal,
} from "../support/policy-eval";

const DEFS = "arn:aws:s3:::defs";
const UPLOADS = "arn:aws:s3:::uploads";
const LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:scanner-logs";
const QUEUE = "arn:aws:sqs:us-east-1:123456789012:events";
const DLQ = "arn:aws:sqs:us-east-1:123456789012:dead-letters";

describe("core/iam: updaterPolicy", () => {
  const doc = updaterPolicy({ definitionsBucketArn: DEFS, definitionsPrefix: "clamav/", logGroupArn: LOGS });
  const table: Array<[string, string, string, Record<string, string>, boolean]> = [
    [
      "lets the updater write the database under its prefix",
      "s3:PutObject",
      `${DEFS}/clamav/files/x/main.cvd`,
      {},
      true,
    ],
    [
      "lets the updater restore the previous database",
      "s3:GetObject",
      `${DEFS}/clamav/manifest.json`,
      {},
      true,
    ],
    [
      "lets the updater delete old definition files",
      "s3:DeleteObject",
      `${DEFS}/clamav/files/x/daily.cld`,
      {},
      true,
    ],
    [
      "lets the updater delete old manifest history",
      "s3:DeleteObject",
      `${DEFS}/clamav/history/2026-01-01T00:00:00.000Z-abc.json`,
      {},
      true,
    ],
    [
      "keeps the updater from deleting the manifest",
      "s3:DeleteObject",
      `${DEFS}/clamav/manifest.json`,
      {},
      false,
    ],
    [
      "keeps the updater from deleting its saved state",
      "s3:DeleteObject",
      `${DEFS}/clamav/state/freshclam.dat`,
      {},
      false,
    ],
    ["keeps the updater from deleting outside its prefix", "s3:DeleteObject", `${DEFS}/other/x`, {}, false],
    ["lets the updater list its prefix", "s3:ListBucket", DEFS, { "s3:prefix": "clamav/files/" }, true],
    ["keeps the updater out of the rest of the bucket", "s3:PutObject", `${DEFS}/other/x`, {}, false],
    [
      "keeps the updater from listing outside its prefix",
      "s3:ListBucket",
      DEFS,
      { "s3:prefix": "other/" },
      false,
    ],
    ["keeps the updater away from upload buckets", "s3:GetObject", `${UPLOADS}/x`, {}, false],
    ["lets the updater write its own logs", "logs:PutLogEvents", `${LOGS}:log-stream:2026/01/01`, {}, true],
    [
      "keeps the updater out of other log groups",
      "logs:PutLogEvents",
      "arn:aws:logs:us-east-1:123456789012:log-group:other:log-stream:x",
      {},
      false,
    ],
  ];
  for (const [title, action, resource, context, allowed] of table)
    it(title, async () => assert.equal(await identityAllows(doc, action, resource, context), allowed));
});

describe("core/iam: scannerPolicy", () => {
  const base = {
    definitionsBucketArn: DEFS,
    definitionsPrefix: "clamav/",
    uploadBucketArn: UPLOADS,
    logGroupArn: LOGS,
  };
  const queued = scannerPolicy({ ...base, queueArn: QUEUE });
  const direct = scannerPolicy({ ...base, deadLetterQueueArn: DLQ });
  const BUS = "arn:aws:events:eu-west-1:123456789012:event-bus/security";
  const publishing = scannerPolicy({ ...base, queueArn: QUEUE, eventBusArn: BUS });
  const QUARANTINE = "arn:aws:s3:::quarantine";
  const acting = scannerPolicy({
    ...base,
    queueArn: QUEUE,
    quarantineBucketArn: QUARANTINE,
    deleteInfected: true,
  });
  const quarantineOnly = scannerPolicy({ ...base, queueArn: QUEUE, quarantineBucketArn: QUARANTINE });
  const table: Array<[string, PolicyDocument, string, string, boolean]> = [
    ["lets the scanner read the definitions", queued, "s3:GetObject", `${DEFS}/clamav/manifest.json`, true],
    [
      "keeps the scanner from writing the definitions",
      queued,
      "s3:PutObject",
      `${DEFS}/clamav/manifest.json`,
      false,
    ],
    [
      "lets the scanner read any version of an upload",
      queued,
      "s3:GetObjectVersion",
      `${UPLOADS}/a/b.jpg`,
      true,
    ],
    [
      "lets the scanner tag exactly the version it scanned",
      queued,
      "s3:PutObjectVersionTagging",
      `${UPLOADS}/a/b.jpg`,
      true,
    ],
    ["keeps the scanner from deleting uploads", queued, "s3:DeleteObject", `${UPLOADS}/a/b.jpg`, false],
    ["keeps the scanner from overwriting uploads", queued, "s3:PutObject", `${UPLOADS}/a/b.jpg`, false],
    [
      "lets the scanner list the upload bucket, so a deleted object reads as gone",
      queued,
      "s3:ListBucket",
      UPLOADS,
      true,
    ],
    ["keeps the scanner from listing other buckets", queued, "s3:ListBucket", "arn:aws:s3:::other", false],
    ["lets a queued scanner consume its queue", queued, "sqs:DeleteMessage", QUEUE, true],
    ["keeps a queued scanner from sending to queues", queued, "sqs:SendMessage", DLQ, false],
    ["lets a directly invoked scanner dead-letter failed events", direct, "sqs:SendMessage", DLQ, true],
    ["gives a directly invoked scanner no queue to consume", direct, "sqs:ReceiveMessage", QUEUE, false],
    ["lets the scanner put verdict events on its bus", publishing, "events:PutEvents", BUS, true],
    [
      "keeps the scanner from putting events on another bus",
      publishing,
      "events:PutEvents",
      "arn:aws:events:eu-west-1:123456789012:event-bus/default",
      false,
    ],
    ["keeps a scanner with no bus from putting events", queued, "events:PutEvents", BUS, false],
    [
      "lets a quarantining scanner copy into the quarantine bucket",
      acting,
      "s3:PutObject",
      `${QUARANTINE}/a/b.jpg`,
      true,
    ],
    [
      "lets a quarantining scanner write the copy's tags",
      acting,
      "s3:PutObjectTagging",
      `${QUARANTINE}/a/b.jpg`,
      true,
    ],
    [
      "keeps a quarantining scanner from reading the quarantine",
      acting,
      "s3:GetObject",
      `${QUARANTINE}/a/b.jpg`,
      false,
    ],
    [
      "keeps a quarantining scanner from deleting in the quarantine",
      acting,
      "s3:DeleteObjectVersion",
      `${QUARANTINE}/a/b.jpg`,
      false,
    ],
    [
      "keeps a scanner without quarantine from writing there",
      queued,
      "s3:PutObject",
      `${QUARANTINE}/a/b.jpg`,
      false,
    ],
    [
      "lets a deleting scanner delete a version of an upload",
      acting,
      "s3:DeleteObjectVersion",
      `${UPLOADS}/a/b.jpg`,
      true,
    ],
    [
      "keeps a deleting scanner from deleting a key of an unversioned bucket",
      acting,
      "s3:DeleteObject",
      `${UPLOADS}/a/b.jpg`,
      false,
    ],
    [
      "keeps a scanner that does not delete from deleting versions",
      queued,
      "s3:DeleteObjectVersion",
      `${UPLOADS}/a/b.jpg`,
      false,
    ],
    [
      "keeps a quarantine-only scanner from deleting versions",
      quarantineOnly,
      "s3:DeleteObjectVersion",
      `${UPLOADS}/a/b.jpg`,
      false,
    ],
  ];
  for (const [title, doc, action, resource, allowed] of table)
    it(title, async () => assert.equal(await identityAllows(doc, action, resource), allowed));
});

describe("core/iam: wildcardGrants", () => {
  const grant = (s: Partial<PolicyStatement>): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${UPLOADS}/*`, ...s }],
  });
  const table: Array<[string, PolicyDocument, number]> = [
    [
      "finds no wildcard in the updater's role",
      updaterPolicy({ definitionsBucketArn: DEFS, definitionsPrefix: "clamav/", logGroupArn: LOGS }),
      0,
    ],
    [
      "finds no wildcard in the scanner's role",
      scannerPolicy({
        definitionsBucketArn: DEFS,
        definitionsPrefix: "",
        uploadBucketArn: UPLOADS,
        logGroupArn: LOGS,
        queueArn: QUEUE,
        deadLetterQueueArn: DLQ,
        eventBusArn: "arn:aws:events:eu-west-1:123456789012:event-bus/default",
        quarantineBucketArn: "arn:aws:s3:::quarantine",
        deleteInfected: true,
      }),
      0,
    ],
    [
      "finds no wildcard grant in the queue policy",
      eventQueuePolicy({ queueArn: QUEUE, bucketArn: UPLOADS, accountId: "123456789012" }),
      0,
    ],
    ["reports an action of *", grant({ Action: "*" }), 1],
    ["reports a whole service's actions", grant({ Action: ["s3:GetObject", "s3:*"] }), 1],
    ["reports a resource of *", grant({ Resource: "*" }), 1],
    ["does not report objects under one bucket", grant({ Resource: `${UPLOADS}/*` }), 0],
    ["does not report denies, which grant nothing", grant({ Effect: "Deny", Action: "*", Resource: "*" }), 0],
  ];
  for (const [title, doc, count] of table) it(title, () => assert.equal(wildcardGrants(doc).length, count));
});

describe("core/iam: trust, logs and the event queue", () => {
  it("lets only Lambda assume a function's role", () => {
    assert.deepEqual(lambdaTrustPolicy().Statement, [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  const logArns: Array<[string, string]> = [
    ["scopes log writes to the group's streams", LOGS],
    ["accepts a group ARN that already ends in :*", `${LOGS}:*`],
  ];
  for (const [title, arn] of logArns)
    it(title, () => assert.equal(logWriteStatement(arn).Resource, `${LOGS}:*`));

  const queuePolicy = eventQueuePolicy({ queueArn: QUEUE, bucketArn: UPLOADS, accountId: "123456789012" });
  const events: Array<[string, Record<string, string>, boolean]> = [
    [
      "lets the upload bucket of this account send events",
      { "aws:SourceArn": UPLOADS, "aws:SourceAccount": "123456789012" },
      true,
    ],
    [
      "refuses events of another bucket",
      { "aws:SourceArn": "arn:aws:s3:::other", "aws:SourceAccount": "123456789012" },
      false,
    ],
    [
      "refuses a bucket of the same name in another account",
      { "aws:SourceArn": UPLOADS, "aws:SourceAccount": "999999999999" },
      false,
    ],
  ];
  const s3Service = servicePrincipal("s3.amazonaws.com", UPLOADS);
  for (const [title, context, allowed] of events)
    it(title, async () => {
      const decision = await resourcePolicyDecision(queuePolicy, s3Service, "sqs:SendMessage", QUEUE, {
        ...context,
        "aws:SecureTransport": "true",
      });
      assert.equal(decision.result === "Allowed", allowed);
    });

  it("denies the queue to requests without TLS", async () => {
    const decision = await resourcePolicyDecision(queuePolicy, s3Service, "sqs:SendMessage", QUEUE, {
      "aws:SecureTransport": "false",
    });
    assert.deepEqual(decision.deniedBy, ["DenyInsecureTransport"]);
  });
});

describe("core/iam: callerStatements", () => {
  const s: PolicyStatement = {
    Sid: "Mine",
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: `${UPLOADS}/*`,
  };
  const table: Array<[string, Parameters<typeof callerStatements>[0], PolicyStatement[]]> = [
    ["takes a list", [s], [s]],
    ["takes a document", { Version: "2012-10-17", Statement: [s] }, [s]],
    ["takes a document's JSON", JSON.stringify({ Version: "2012-10-17", Statement: [s] }), [s]],
    [
      "takes a document whose Statement is a single object",
      JSON.stringify({ Version: "2012-10-17", Statement: s }),
      [s],
    ],
    ["takes nothing", undefined, []],
  ];
  for (const [title, input, expected] of table)
    it(title, () => assert.deepEqual(callerStatements(input), expected));

  it("rejects JSON that does not parse", () => {
    assert.throws(() => callerStatements("{"), BucketwardenError);
  });
});

describe("core/iam: the scanner's grant on a customer-managed KMS key", () => {
  const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const OTHER_KEY = "arn:aws:kms:eu-west-1:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab";
  const doc = kmsDecryptPolicy([KEY], "eu-west-1");
  const table: Array<[string, string, string, Record<string, string>, boolean]> = [
    [
      "lets S3 decrypt an upload with the bucket's key for the scanner",
      "kms:Decrypt",
      KEY,
      { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
      true,
    ],
    ["keeps the scanner from using the key directly", "kms:Decrypt", KEY, {}, false],
    [
      "keeps the scanner from using the key through S3 in another region",
      "kms:Decrypt",
      KEY,
      { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
      false,
    ],
    [
      "keeps the scanner from using the key through another service",
      "kms:Decrypt",
      KEY,
      { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" },
      false,
    ],
    [
      "grants nothing on other keys",
      "kms:Decrypt",
      OTHER_KEY,
      { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
      false,
    ],
    ["grants no encryption", "kms:Encrypt", KEY, { "kms:ViaService": "s3.eu-west-1.amazonaws.com" }, false],
  ];
  // KMS requires its key policy to allow too; AWS's default key policy lets the account's IAM policies decide.
  const defaultKeyPolicy: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  };
  for (const [title, action, resource, context, allowed] of table)
    it(title, async () =>
      assert.equal(await identityAllows(doc, action, resource, context, defaultKeyPolicy), allowed),
    );

  it("gives no KMS grant without keys", () => {
    const plain = scannerPolicy({
      definitionsBucketArn: DEFS,
      definitionsPrefix: "clamav/",
      uploadBucketArn: UPLOADS,
      logGroupArn: LOGS,
    });
    assert.ok(!JSON.stringify(plain).includes("kms:"));
  });
});

describe("core/iam: the backlog scan's Batch Operations job role", () => {
  const REPORTS = "arn:aws:s3:::bw-reports";
  const SCANNER = "arn:aws:lambda:us-east-1:123456789012:function:photos-scanner";
  const doc = backlogJobPolicy({
    scannerFunctionArns: [SCANNER],
    uploadBucketArns: [UPLOADS],
    reportBucketArn: REPORTS,
    manifestPrefix: "manifests/",
    reportPrefix: "reports/",
  });
  const table: Array<[string, string, string, boolean]> = [
    ["lets the job invoke the scanner", "lambda:InvokeFunction", SCANNER, true],
    [
      "keeps the job from invoking any other function",
      "lambda:InvokeFunction",
      "arn:aws:lambda:us-east-1:123456789012:function:other",
      false,
    ],
    ["lets the job read a manifest", "s3:GetObject", `${REPORTS}/manifests/job-1.csv`, true],
    [
      "lets the job read a manifest by version",
      "s3:GetObjectVersion",
      `${REPORTS}/manifests/job-1.csv`,
      true,
    ],
    [
      "lets the job write a generated manifest",
      "s3:PutObject",
      `${REPORTS}/manifests/job-1/manifest.json`,
      true,
    ],
    [
      "lets the job write its completion report",
      "s3:PutObject",
      `${REPORTS}/reports/job-1/results.csv`,
      true,
    ],
    ["keeps the job from writing outside its prefixes", "s3:PutObject", `${REPORTS}/other/x`, false],
    [
      "keeps the job from reading its own reports back",
      "s3:GetObject",
      `${REPORTS}/reports/job-1/results.csv`,
      false,
    ],
    ["lets the job list an upload bucket for a generated manifest", "s3:ListBucket", UPLOADS, true],
    ["lets the job list an upload bucket's versions", "s3:ListBucketVersions", UPLOADS, true],
    ["keeps the job from listing other buckets", "s3:ListBucket", "arn:aws:s3:::other", false],
    ["keeps the job from reading an upload's body", "s3:GetObject", `${UPLOADS}/a/b.jpg`, false],
    ["keeps the job from reading an upload's versions", "s3:GetObjectVersion", `${UPLOADS}/a/b.jpg`, false],
    ["keeps the job from tagging uploads", "s3:PutObjectTagging", `${UPLOADS}/a/b.jpg`, false],
  ];
  for (const [title, action, resource, allowed] of table)
    it(title, async () => assert.equal(await identityAllows(doc, action, resource), allowed));

  it("grants no wildcard action or resource", () => assert.deepEqual(wildcardGrants(doc), []));

  it("refuses a job with no scanner to invoke", () => {
    assert.throws(
      () =>
        backlogJobPolicy({
          scannerFunctionArns: [],
          uploadBucketArns: [UPLOADS],
          reportBucketArn: REPORTS,
          manifestPrefix: "manifests/",
          reportPrefix: "reports/",
        }),
      BucketwardenError,
    );
  });

  const trust = batchOperationsTrustPolicy(ACCOUNT) as unknown as PolicyDocument;
  const role = `arn:aws:iam::${ACCOUNT}:role/backlog-job`;
  const assumers: Array<[string, Caller, string]> = [
    [
      "lets Batch Operations assume the role for this account's jobs",
      servicePrincipal("batchoperations.s3.amazonaws.com", "arn:aws:s3:us-east-1:123456789012:job/1"),
      "Allowed",
    ],
    [
      "keeps Batch Operations from assuming the role for another account's jobs",
      {
        ...servicePrincipal("batchoperations.s3.amazonaws.com", "arn:aws:s3:us-east-1:999999999999:job/1"),
        context: { "aws:SourceAccount": "999999999999" },
      },
      "ImplicitlyDenied",
    ],
    [
      "keeps Lambda from assuming the role",
      servicePrincipal("lambda.amazonaws.com", SCANNER),
      "ImplicitlyDenied",
    ],
  ];
  for (const [title, caller, result] of assumers)
    it(title, async () =>
      assert.equal((await resourcePolicyDecision(trust, caller, "sts:AssumeRole", role)).result, result),
    );
});
