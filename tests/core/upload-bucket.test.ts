import assert from "node:assert/strict";
import { ConfigError } from "../../core/errors";
import type { TriggerKind } from "../../core/settings";
import {
  checkUploadScannerArgs,
  UPLOAD_LIFECYCLE_DEFAULTS,
  type UploadBucketChoice,
  uploadLifecycleRules,
} from "../../core/upload-bucket";

describe("core/upload-bucket: checkUploadScannerArgs", () => {
  const refused: Array<[string, UploadBucketChoice, TriggerKind, string, RegExp]> = [
    [
      "refuses both a new and an existing bucket",
      { existingBucketName: "b", newBucket: {}, adoptExistingBucket: true },
      "queue",
      "existingBucketName",
      /Only one of/,
    ],
    [
      "refuses neither a new nor an existing bucket",
      {},
      "queue",
      "existingBucketName",
      /One of .* must be specified/,
    ],
    [
      "refuses an existing bucket without the adoption opt-in, naming it",
      { existingBucketName: "acme-avatars" },
      "queue",
      "adoptExistingBucket",
      /acme-avatars/,
    ],
    [
      "refuses an opt-in set to false",
      { existingBucketName: "b", adoptExistingBucket: false },
      "queue",
      "adoptExistingBucket",
      /policy/,
    ],
    [
      "refuses an existing bucket known only at deploy time without the opt-in",
      { existingBucketName: { output: true } },
      "queue",
      "adoptExistingBucket",
      /given by existingBucketName/,
    ],
    [
      "refuses the opt-in beside a new bucket",
      { newBucket: {}, adoptExistingBucket: true },
      "queue",
      "adoptExistingBucket",
      /only to \[existingBucketName\]/,
    ],
    [
      "refuses a batch size with the direct trigger",
      { newBucket: {}, batchSize: 5 },
      "direct",
      "batchSize",
      /trigger "queue"/,
    ],
    [
      "refuses a queue-age alarm with the direct trigger",
      { newBucket: {}, oldestMessageAlarmSeconds: 60 },
      "direct",
      "oldestMessageAlarmSeconds",
      /trigger "queue"/,
    ],
  ];
  for (const [title, args, trigger, setting, message] of refused)
    it(title, () =>
      assert.throws(
        () => checkUploadScannerArgs(args, trigger),
        (e: unknown) => e instanceof ConfigError && e.message.includes(setting) && message.test(e.message),
      ),
    );

  const accepted: Array<[string, UploadBucketChoice, TriggerKind]> = [
    ["accepts a new bucket", { newBucket: {} }, "queue"],
    [
      "accepts an existing bucket adopted knowingly",
      { existingBucketName: "b", adoptExistingBucket: true },
      "queue",
    ],
    [
      "accepts queue settings with the queue trigger",
      { newBucket: {}, batchSize: 10, oldestMessageAlarmSeconds: 60 },
      "queue",
    ],
  ];
  for (const [title, args, trigger] of accepted)
    it(title, () => assert.doesNotThrow(() => checkUploadScannerArgs(args, trigger)));
});

describe("core/upload-bucket: uploadLifecycleRules", () => {
  it("expires old versions and abandoned uploads by default", () => {
    assert.deepEqual(
      uploadLifecycleRules({}).map((r) => [
        r.id,
        r.noncurrentVersionExpiration?.noncurrentDays ??
          r.abortIncompleteMultipartUpload?.daysAfterInitiation,
      ]),
      [
        ["expire-old-versions", UPLOAD_LIFECYCLE_DEFAULTS.noncurrentVersionDays],
        ["abort-incomplete-uploads", UPLOAD_LIFECYCLE_DEFAULTS.abortIncompleteUploadDays],
      ],
    );
  });

  const days: Array<
    [string, { noncurrentVersionDays?: number; abortIncompleteUploadDays?: number }, string[]]
  > = [
    ["leaves out the version rule at 0", { noncurrentVersionDays: 0 }, ["abort-incomplete-uploads"]],
    ["leaves out the upload rule at 0", { abortIncompleteUploadDays: 0 }, ["expire-old-versions"]],
    ["gives no rules when both are 0", { noncurrentVersionDays: 0, abortIncompleteUploadDays: 0 }, []],
  ];
  for (const [title, given, ids] of days)
    it(title, () =>
      assert.deepEqual(
        uploadLifecycleRules(given).map((r) => r.id),
        ids,
      ),
    );

  for (const bad of [-1, 1.5, Number.NaN])
    it(`refuses ${bad} days, naming the argument`, () =>
      assert.throws(
        () => uploadLifecycleRules({ noncurrentVersionDays: bad }),
        (e: unknown) => e instanceof ConfigError && e.message.includes("newBucket.noncurrentVersionDays"),
      ));
});
