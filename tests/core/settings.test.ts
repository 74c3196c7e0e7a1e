import assert from "node:assert/strict";
import { ConfigError } from "../../core/errors";
import { ENGINE_MAX_OBJECT_BYTES } from "../../core/handler-config";
import { parseStackSettings, SETTINGS, type StackSettings } from "../../core/settings";
import * as size from "../../core/sizing";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";

const ONE_BUCKET = { "bucketwarden:uploadBuckets": '["photos"]' };

function parse(config: Record<string, string>): StackSettings {
  return parseStackSettings({ ...ONE_BUCKET, ...config });
}

describe("core/settings: defaults", () => {
  const s = parse({});
  const table: Array<[string, unknown, unknown]> = [
    ["builds for arm64, which costs less", s.architecture, "arm64"],
    ["fails closed", s.failClosed, true],
    ["delivers events through a queue", s.trigger, "queue"],
    ["uses the seed's Infected tag", s.tags, DEFAULT_TAG_SCHEMA],
    ["updates twice a day", s.updateSchedule, "rate(12 hours)"],
    ["sizes the scanner for a database reload", s.scanner.memoryMb, size.DEFAULT_SCANNER_MEMORY_MB],
    [
      "sizes the scanner's /tmp for the largest object ClamAV scans",
      s.scanner.ephemeralStorageMb,
      size.requiredScannerStorageMb(ENGINE_MAX_OBJECT_BYTES),
    ],
    [
      "fetches the official databases from the public mirror",
      [s.updater.officialDatabases, s.updater.databaseMirrors],
      [true, ["database.clamav.net"]],
    ],
    [
      "creates the listed bucket and adopts none",
      s.uploadBuckets,
      [{ key: "photos", policyStatements: [], kmsKeyArns: [] }],
    ],
    ["keeps logs 30 days", s.logRetentionDays, 30],
    [
      "neither quarantines nor deletes infected objects",
      s.infectedObjects,
      { quarantine: false, delete: false, acknowledgeDeleteWithoutQuarantine: false },
    ],
    ["names no break-glass role", s.breakGlassRoleArns, []],
    ["names no replication role", s.replicationRoleArns, []],
    ["denies server-side copies", s.allowServerSideCopies, false],
  ];
  for (const [title, actual, expected] of table) it(title, () => assert.deepEqual(actual, expected));

  it("declares a default for every setting, since Pulumi requires a declared key without one", () => {
    const withoutDefault = Object.entries(SETTINGS)
      .filter(([, spec]) => (spec.default as unknown) === undefined)
      .map(([k]) => k);
    assert.deepEqual(withoutDefault, []);
  });

  it("sizes the scanner's /tmp for two objects at once when queueBatchSize is over 1", () => {
    const batched = parseStackSettings({
      "bucketwarden:uploadBuckets": '["photos"]',
      "bucketwarden:queueBatchSize": "5",
    });
    assert.equal(
      batched.scanner.ephemeralStorageMb,
      size.requiredScannerStorageMb(ENGINE_MAX_OBJECT_BYTES, 2),
    );
    assert.ok(batched.scanner.ephemeralStorageMb > s.scanner.ephemeralStorageMb);
  });

  it("computes the scanner's /tmp when scannerEphemeralStorageMb is its default 0", () => {
    const zero = parseStackSettings({
      "bucketwarden:uploadBuckets": '["photos"]',
      "bucketwarden:scannerEphemeralStorageMb": "0",
    });
    assert.equal(zero.scanner.ephemeralStorageMb, s.scanner.ephemeralStorageMb);
  });
});

describe("core/settings: values", () => {
  const table: Array<[string, Record<string, string>, (s: StackSettings) => unknown, unknown]> = [
    [
      "reads quarantine and delete of infected objects",
      { "bucketwarden:quarantineInfected": "true", "bucketwarden:deleteInfected": "true" },
      (s) => s.infectedObjects,
      { quarantine: true, delete: true, acknowledgeDeleteWithoutQuarantine: false },
    ],
    [
      "reads a delete without quarantine when it is acknowledged",
      { "bucketwarden:deleteInfected": "true", "bucketwarden:deleteInfectedWithoutQuarantine": "true" },
      (s) => s.infectedObjects,
      { quarantine: false, delete: true, acknowledgeDeleteWithoutQuarantine: true },
    ],
    [
      "reads lists written as YAML sequences (JSON here)",
      { "bucketwarden:alarmTopicArns": '["arn:aws:sns:eu-west-1:123456789012:ops"]' },
      (s) => s.alarmTopicArns,
      ["arn:aws:sns:eu-west-1:123456789012:ops"],
    ],
    [
      "reads the break-glass and replication roles",
      {
        "bucketwarden:breakGlassRoleArns": '["arn:aws:iam::123456789012:role/malware-release"]',
        "bucketwarden:replicationRoleArns": '["arn:aws:iam::123456789012:role/service-role/replication"]',
      },
      (s) => [s.breakGlassRoleArns, s.replicationRoleArns],
      [
        ["arn:aws:iam::123456789012:role/malware-release"],
        ["arn:aws:iam::123456789012:role/service-role/replication"],
      ],
    ],
    [
      "defaults pre-existing objects to readable until scanned and rescans to one day",
      {},
      (s) => [s.preExistingObjects, s.rescanWindowSeconds, s.tags.pendingValue],
      ["readable-until-scanned", 86_400, "pending"],
    ],
    [
      "reads strict adoption, a wider rescan window and a pending value",
      {
        "bucketwarden:preExistingObjects": "strict",
        "bucketwarden:rescanWindow": "7d",
        "bucketwarden:tagPendingValue": "unscanned",
      },
      (s) => [s.preExistingObjects, s.rescanWindowSeconds, s.tags.pendingValue],
      ["strict", 7 * 86_400, "unscanned"],
    ],
    [
      "turns rescans off with 0",
      { "bucketwarden:rescanWindow": "0" },
      (s) => s.rescanWindowSeconds,
      undefined,
    ],
    [
      "reads allowServerSideCopies",
      { "bucketwarden:allowServerSideCopies": "true" },
      (s) => s.allowServerSideCopies,
      true,
    ],
    [
      "reads lists written with pulumi config set as commas",
      { "bucketwarden:uploadBuckets": "photos, docs" },
      (s) => s.uploadBuckets.map((b) => b.key),
      ["photos", "docs"],
    ],
    [
      "names existing buckets' resources with dots as dashes",
      {
        "bucketwarden:existingUploadBuckets": '["acme.avatars"]',
        "bucketwarden:adoptExistingBuckets": "true",
      },
      (s) => s.uploadBuckets[1],
      { key: "acme-avatars", existingBucketName: "acme.avatars", policyStatements: [], kmsKeyArns: [] },
    ],
    [
      "hands a bucket encrypted with a customer-managed key its key, for the scanner's grant",
      {
        "bucketwarden:existingUploadBuckets": '["acme.avatars"]',
        "bucketwarden:adoptExistingBuckets": "true",
        "bucketwarden:bucketKmsKeyArns": JSON.stringify({
          "acme.avatars": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        }),
      },
      (s) => s.uploadBuckets[1].kmsKeyArns,
      ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    ],
    [
      "hands each bucket its own policy statements",
      {
        "bucketwarden:bucketPolicyStatements": JSON.stringify({
          photos: [{ Sid: "Mine", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::p/*" }],
        }),
      },
      (s) => s.uploadBuckets[0].policyStatements.map((p) => p.Sid),
      ["Mine"],
    ],
    [
      "derives /tmp from the largest object",
      { "bucketwarden:maxObjectBytes": String(100 * 1024 * 1024) },
      (s) => s.scanner.ephemeralStorageMb,
      100 + 2 * size.DATABASE_DISK_MB + size.SCRATCH_DISK_MB,
    ],
    [
      "takes more /tmp than needed when asked",
      { "bucketwarden:scannerEphemeralStorageMb": "10240" },
      (s) => s.scanner.ephemeralStorageMb,
      10240,
    ],
    ["allows the seed's direct trigger", { "bucketwarden:trigger": "direct" }, (s) => s.trigger, "direct"],
    ["allows x86_64", { "bucketwarden:architecture": "x86_64" }, (s) => s.architecture, "x86_64"],
    [
      "allows a smaller scanner without the official databases",
      {
        "bucketwarden:officialDatabases": "false",
        "bucketwarden:customDatabaseUrls": "https://sigs.example/a.ndb",
        "bucketwarden:scannerMemoryMb": "1024",
      },
      (s) => s.scanner.memoryMb,
      1024,
    ],
    [
      "adds the slash a prefix lacks",
      { "bucketwarden:definitionsPrefix": "sigs" },
      (s) => s.definitionsPrefix,
      "sigs/",
    ],
    [
      "reads a custom tag schema",
      {
        "bucketwarden:tagKey": "av-status",
        "bucketwarden:tagCleanValue": "ok",
        "bucketwarden:tagInfectedValue": "bad",
      },
      (s) => [s.tags.key, s.tags.cleanValue, s.tags.infectedValue],
      ["av-status", "ok", "bad"],
    ],
    ["ignores other namespaces' settings", { "aws:region": "eu-west-1" }, (s) => s.architecture, "arm64"],
  ];
  for (const [title, config, pick, expected] of table)
    it(title, () => assert.deepEqual(pick(parse(config)), expected));
});

describe("core/settings: a bad setting fails with an error naming it", () => {
  const table: Array<[string, Record<string, string>, string, RegExp]> = [
    [
      "a delete of infected objects with no quarantine and no acknowledgement",
      { "bucketwarden:deleteInfected": "true" },
      "deleteInfected",
      /bucketwarden:quarantineInfected.*bucketwarden:deleteInfectedWithoutQuarantine/,
    ],
    [
      "a schedule more often than hourly",
      { "bucketwarden:updateSchedule": "rate(30 minutes)" },
      "updateSchedule",
      /once an hour/,
    ],
    [
      "a cron schedule with a wildcard minute",
      { "bucketwarden:updateSchedule": "cron(* * * * ? *)" },
      "updateSchedule",
      /once an hour/,
    ],
    [
      "scanner memory too small for the engine",
      { "bucketwarden:scannerMemoryMb": "1024" },
      "scannerMemoryMb",
      /at least 1792.*official database/,
    ],
    [
      "updater memory too small to test-load the database",
      { "bucketwarden:updaterMemoryMb": "512" },
      "updaterMemoryMb",
      /at least 1792/,
    ],
    [
      "scanner memory over Lambda's maximum",
      { "bucketwarden:scannerMemoryMb": "20000" },
      "scannerMemoryMb",
      /at most 10240/,
    ],
    [
      "an unknown pre-existing objects mode",
      { "bucketwarden:preExistingObjects": "lenient" },
      "preExistingObjects",
      /must be one of "readable-until-scanned", "strict"/,
    ],
    [
      "a rescan window without a unit",
      { "bucketwarden:rescanWindow": "24" },
      "rescanWindow",
      /not a duration/,
    ],
    [
      "a pending value equal to the clean value",
      { "bucketwarden:tagPendingValue": "false" },
      "tagPendingValue",
      /must differ from bucketwarden:tagCleanValue/,
    ],
    ["a tag key in an unknown format", { "bucketwarden:tagKey": "infected!" }, "tagKey", /may contain only/],
    ["a tag key AWS reserves", { "bucketwarden:tagResultKey": "aws:result" }, "tagResultKey", /aws:/],
    [
      "equal clean and infected values",
      { "bucketwarden:tagCleanValue": "true" },
      "tagCleanValue",
      /must differ/,
    ],
    [
      "an architecture Lambda does not have",
      { "bucketwarden:architecture": "amd64" },
      "architecture",
      /"x86_64", "arm64"/,
    ],
    ["an unknown trigger", { "bucketwarden:trigger": "sns" }, "trigger", /"queue", "direct"/],
    [
      "a number that is not whole",
      { "bucketwarden:scannerTimeoutSeconds": "5m" },
      "scannerTimeoutSeconds",
      /whole number/,
    ],
    [
      "a timeout too short for a cold start",
      { "bucketwarden:scannerTimeoutSeconds": "60" },
      "scannerTimeoutSeconds",
      /at least 300/,
    ],
    [
      "/tmp too small for the largest object",
      { "bucketwarden:scannerEphemeralStorageMb": "1024" },
      "scannerEphemeralStorageMb",
      /largest object/,
    ],
    [
      "objects larger than ClamAV scans",
      { "bucketwarden:maxObjectBytes": "3000000000" },
      "maxObjectBytes",
      /at most 2000000000/,
    ],
    [
      "a boolean that is not true or false",
      { "bucketwarden:failClosed": "yes" },
      "failClosed",
      /true or false/,
    ],
    ["no upload bucket at all", { "bucketwarden:uploadBuckets": "[]" }, "uploadBuckets", /at least one/],
    [
      "an upload bucket key with capitals",
      { "bucketwarden:uploadBuckets": '["Photos"]' },
      "uploadBuckets",
      /lowercase/,
    ],
    [
      "an existing bucket without the opt-in to replace its policy and notifications",
      { "bucketwarden:existingUploadBuckets": '["acme.avatars","acme-docs"]' },
      "adoptExistingBuckets",
      /"acme\.avatars", "acme-docs".*one policy.*bucketwarden:bucketPolicyStatements.*one notification configuration.*bucketwarden:adoptExistingBuckets: true/,
    ],
    [
      "an existing bucket name S3 would refuse",
      { "bucketwarden:existingUploadBuckets": '["Acme_Avatars"]' },
      "existingUploadBuckets",
      /not a bucket name/,
    ],
    [
      "a KMS key given by alias, which IAM cannot grant",
      { "bucketwarden:bucketKmsKeyArns": '{"photos":"alias/uploads"}' },
      "bucketKmsKeyArns",
      /not a KMS key ARN/,
    ],
    [
      "a KMS key for a bucket the stack does not protect",
      { "bucketwarden:bucketKmsKeyArns": '{"other":"arn:aws:kms:eu-west-1:111122223333:key/abc"}' },
      "bucketKmsKeyArns",
      /not one of the upload buckets/,
    ],
    [
      "the same bucket listed twice",
      { "bucketwarden:uploadBuckets": '["photos","photos"]' },
      "uploadBuckets",
      /twice/,
    ],
    [
      "a list that is not of strings",
      { "bucketwarden:alarmTopicArns": "[1]" },
      "alarmTopicArns",
      /list of strings/,
    ],
    [
      "an alarm target that is not an SNS topic",
      { "bucketwarden:alarmTopicArns": '["arn:aws:sqs:us-east-1:123456789012:q"]' },
      "alarmTopicArns",
      /SNS topic/,
    ],
    [
      "a break-glass principal that is not a role",
      { "bucketwarden:breakGlassRoleArns": '["arn:aws:iam::123456789012:user/jane"]' },
      "breakGlassRoleArns",
      /IAM role ARN/,
    ],
    [
      "a wildcard replication role",
      { "bucketwarden:replicationRoleArns": '["arn:aws:iam::123456789012:role/*"]' },
      "replicationRoleArns",
      /IAM role ARN/,
    ],
    [
      "policy statements for a bucket the stack does not protect",
      { "bucketwarden:bucketPolicyStatements": '{"other":[]}' },
      "bucketPolicyStatements",
      /not one of the upload buckets/,
    ],
    [
      "policy statements that are not JSON",
      { "bucketwarden:bucketPolicyStatements": "{photos: []}" },
      "bucketPolicyStatements",
      /not valid JSON/,
    ],
    [
      "a policy statement without an Effect",
      { "bucketwarden:bucketPolicyStatements": '{"photos":[{"Action":"s3:GetObject"}]}' },
      "bucketPolicyStatements",
      /Effect/,
    ],
    [
      "a policy statement reusing the access rule's Sid",
      {
        "bucketwarden:bucketPolicyStatements":
          '{"photos":[{"Sid":"BucketwardenDenyInfectedReads","Effect":"Allow","Action":"s3:GetObject","Resource":"x"}]}',
      },
      "bucketPolicyStatements",
      /defined twice/,
    ],
    [
      "official databases off with no other source",
      { "bucketwarden:officialDatabases": "false" },
      "officialDatabases",
      /bucketwarden:customDatabaseUrls or bucketwarden:privateMirrors/,
    ],
    [
      "a custom database URL that is not a URL",
      { "bucketwarden:customDatabaseUrls": "sigs.example/a.ndb" },
      "customDatabaseUrls",
      /not a URL/,
    ],
    [
      "a definitions prefix starting with a slash",
      { "bucketwarden:definitionsPrefix": "/clamav" },
      "definitionsPrefix",
      /must not start with/,
    ],
    [
      "a log retention CloudWatch does not offer",
      { "bucketwarden:logRetentionDays": "10" },
      "logRetentionDays",
      /must be one of/,
    ],
    [
      "a batch larger than SQS hands Lambda",
      { "bucketwarden:queueBatchSize": "11" },
      "queueBatchSize",
      /at most 10/,
    ],
    [
      "a misspelt setting, suggesting the right one",
      { "bucketwarden:updateSchedul": "rate(1 day)" },
      "updateSchedul",
      /did you mean bucketwarden:updateSchedule/,
    ],
  ];
  for (const [title, config, setting, message] of table) {
    it(`rejects ${title}`, () => {
      assert.throws(
        () => parse(config),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.setting, `bucketwarden:${setting}`);
          assert.match(e.message, message);
          assert.ok(e.message.startsWith(`bucketwarden:${setting}: `));
          return true;
        },
      );
    });
  }
});
