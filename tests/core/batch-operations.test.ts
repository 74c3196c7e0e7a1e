import assert from "node:assert/strict";
import type { S3BatchResult } from "aws-lambda";
import {
  type BatchInvocation,
  BatchResultCode,
  batchOperationsResponse,
  isBatchOperationsEvent,
  MAX_RESULT_STRING_LENGTH,
  parseBatchOperationsEvent,
} from "../../core/batch-operations";
import { EventParseError } from "../../core/errors";

/** A schema 2.0 event (bucket by name) with the tasks given. */
function v2(tasks: unknown[], job: Record<string, unknown> = { id: "job-1" }) {
  return { invocationSchemaVersion: "2.0", invocationId: "inv-1", job, tasks };
}

/** A schema 1.0 event (bucket by ARN), shaped as in AWS's documentation. */
function v1(tasks: unknown[]) {
  return { invocationSchemaVersion: "1.0", invocationId: "inv-1", job: { id: "job-1" }, tasks };
}

describe("core/batch-operations: recognising the event", () => {
  const table: Array<[string, unknown, boolean]> = [
    ["recognises a schema 2.0 invocation", v2([]), true],
    ["recognises a schema 1.0 invocation", v1([]), true],
    ["does not take an S3 event for one", { Records: [] }, false],
    ["does not take an SQS batch for one", { Records: [{ eventSource: "aws:sqs" }] }, false],
    ["does not take S3's test event for one", { Event: "s3:TestEvent" }, false],
    ["does not take a string for one", "tasks", false],
  ];
  for (const [title, event, expected] of table)
    it(title, () => assert.equal(isBatchOperationsEvent(event), expected));
});

describe("core/batch-operations: parseBatchOperationsEvent", () => {
  const table: Array<[string, unknown, Partial<BatchInvocation>]> = [
    [
      "reads a schema 2.0 task's bucket, key and version",
      v2([{ taskId: "t1", s3Bucket: "uploads", s3Key: "a/b.txt", s3VersionId: "v7" }]),
      {
        schemaVersion: "2.0",
        invocationId: "inv-1",
        jobId: "job-1",
        userArguments: {},
        tasks: [{ taskId: "t1", object: { bucket: "uploads", key: "a/b.txt", versionId: "v7" } }],
      },
    ],
    [
      "reads the bucket of a schema 1.0 task from its ARN",
      v1([{ taskId: "t1", s3BucketArn: "arn:aws:s3:::uploads", s3Key: "x.jpg", s3VersionId: "1" }]),
      {
        schemaVersion: "1.0",
        tasks: [{ taskId: "t1", object: { bucket: "uploads", key: "x.jpg", versionId: "1" } }],
      },
    ],
    [
      "reads a bucket ARN of another partition",
      v1([{ taskId: "t1", s3BucketArn: "arn:aws-cn:s3:::uploads", s3Key: "x", s3VersionId: null }]),
      { tasks: [{ taskId: "t1", object: { bucket: "uploads", key: "x" } }] },
    ],
    [
      "leaves the version out when the bucket is unversioned (s3VersionId null)",
      v2([{ taskId: "t1", s3Bucket: "uploads", s3Key: "x", s3VersionId: null }]),
      { tasks: [{ taskId: "t1", object: { bucket: "uploads", key: "x" } }] },
    ],
    [
      "decodes a URL-encoded key (spaces as +, UTF-8 as %XX)",
      v2([{ taskId: "t1", s3Bucket: "uploads", s3Key: "my+caf%C3%A9+%2B1.txt", s3VersionId: null }]),
      { tasks: [{ taskId: "t1", object: { bucket: "uploads", key: "my café +1.txt" } }] },
    ],
    [
      "keeps the job's user arguments (schema 2.0)",
      v2([], { id: "job-9", userArguments: { mode: "rescan", since: "P30D" } }),
      { jobId: "job-9", userArguments: { mode: "rescan", since: "P30D" }, tasks: [] },
    ],
    [
      "keeps the tasks in the order given",
      v2([
        { taskId: "t2", s3Bucket: "b", s3Key: "two", s3VersionId: null },
        { taskId: "t1", s3Bucket: "b", s3Key: "one", s3VersionId: null },
      ]),
      {
        tasks: [
          { taskId: "t2", object: { bucket: "b", key: "two" } },
          { taskId: "t1", object: { bucket: "b", key: "one" } },
        ],
      },
    ],
  ];
  for (const [title, event, expected] of table)
    it(title, () => {
      const parsed = parseBatchOperationsEvent(event);
      for (const [field, value] of Object.entries(expected))
        assert.deepEqual(parsed[field as keyof BatchInvocation], value, field);
    });

  const badTasks: Array<[string, unknown, RegExp]> = [
    ["a schema 2.0 task without s3Bucket", { taskId: "t1", s3Key: "x" }, /no s3Bucket/],
    ["a task without s3Key", { taskId: "t1", s3Bucket: "b" }, /no s3Key/],
    [
      "a task whose key is not valid percent-encoding",
      { taskId: "t1", s3Bucket: "b", s3Key: "100%.txt" },
      /percent/,
    ],
  ];
  for (const [what, task, message] of badTasks)
    it(`returns ${what} with its error, beside the other tasks`, () => {
      const parsed = parseBatchOperationsEvent(v2([task, { taskId: "ok", s3Bucket: "b", s3Key: "fine" }]));
      assert.equal(parsed.tasks.length, 2);
      assert.equal(parsed.tasks[0].taskId, "t1");
      assert.equal(parsed.tasks[0].object, undefined);
      assert.ok(parsed.tasks[0].error instanceof EventParseError);
      assert.match(parsed.tasks[0].error.message, message);
      assert.deepEqual(parsed.tasks[1].object, { bucket: "b", key: "fine" });
    });

  it("returns a schema 1.0 task whose bucket ARN is an object ARN with its error", () => {
    const parsed = parseBatchOperationsEvent(
      v1([{ taskId: "t1", s3BucketArn: "arn:aws:s3:::b/k", s3Key: "k" }]),
    );
    assert.match(parsed.tasks[0].error?.message ?? "", /not an S3 bucket ARN/);
  });

  it("returns a schema 1.0 task that names its bucket only by name (the 2.0 field) with its error", () => {
    const parsed = parseBatchOperationsEvent(v1([{ taskId: "t1", s3Bucket: "b", s3Key: "k" }]));
    assert.match(parsed.tasks[0].error?.message ?? "", /no s3BucketArn/);
  });

  const badEvents: Array<[string, unknown, RegExp]> = [
    ["an unknown schema version", { ...v2([]), invocationSchemaVersion: "3.0" }, /schema "3.0"/],
    ["an invocation without an id", { ...v2([]), invocationId: undefined }, /no invocationId/],
    ["an invocation without a job id", v2([], {}), /no job id/],
    ["tasks that are not an array", { ...v2([]), tasks: {} }, /no tasks array/],
    ["a task without a taskId", v2([{ s3Bucket: "b", s3Key: "k" }]), /task 0 has no taskId/],
    ["a task that is not an object", v2(["k"]), /task 0 is not an object/],
  ];
  for (const [what, event, message] of badEvents)
    it(`rejects ${what}: no answer could be matched to its tasks`, () => {
      assert.throws(
        () => parseBatchOperationsEvent(event),
        (e: unknown) => e instanceof EventParseError && message.test(e.message),
      );
    });
});

describe("core/batch-operations: batchOperationsResponse", () => {
  it("echoes the schema version and invocation id and counts left-out tasks as permanent failures", () => {
    const response = batchOperationsResponse({ schemaVersion: "2.0", invocationId: "inv-1" }, [
      { taskId: "t1", resultCode: BatchResultCode.Succeeded, resultString: "clean" },
      { taskId: "t2", resultCode: BatchResultCode.TemporaryFailure, resultString: "failed:SlowDown" },
    ]);
    // Checked against the shape DefinitelyTyped gives Batch Operations' response.
    const typed: S3BatchResult = response;
    assert.deepEqual(typed, {
      invocationSchemaVersion: "2.0",
      treatMissingKeysAs: "PermanentFailure",
      invocationId: "inv-1",
      results: [
        { taskId: "t1", resultCode: "Succeeded", resultString: "clean" },
        { taskId: "t2", resultCode: "TemporaryFailure", resultString: "failed:SlowDown" },
      ],
    });
  });

  it("answers schema 1.0 in schema 1.0", () => {
    const response = batchOperationsResponse({ schemaVersion: "1.0", invocationId: "i" }, []);
    assert.equal(response.invocationSchemaVersion, "1.0");
  });

  it("shortens a long result string for the completion report and marks the cut", () => {
    const long = `failed:Error: ${"x".repeat(2000)}`;
    const [result] = batchOperationsResponse({ schemaVersion: "2.0", invocationId: "i" }, [
      { taskId: "t", resultCode: BatchResultCode.PermanentFailure, resultString: long },
    ]).results;
    assert.equal(result.resultString.length, MAX_RESULT_STRING_LENGTH);
    assert.ok(result.resultString.startsWith("failed:Error: xxx"));
    assert.ok(result.resultString.endsWith("…"));
  });

  it("keeps a result string that fits as it is", () => {
    const exact = "y".repeat(MAX_RESULT_STRING_LENGTH);
    const [result] = batchOperationsResponse({ schemaVersion: "2.0", invocationId: "i" }, [
      { taskId: "t", resultCode: BatchResultCode.Succeeded, resultString: exact },
    ]).results;
    assert.equal(result.resultString, exact);
  });
});
