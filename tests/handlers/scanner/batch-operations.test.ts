import assert from "node:assert/strict";
import { GetObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import sinon from "sinon";
import type { BatchOperationsResponse, BatchTaskResult } from "../../../core/batch-operations";
import { TagLimitError } from "../../../core/errors";
import type { ObjectRef } from "../../../core/events";
import { ScanStatus } from "../../../core/verdict";
import { taskOutcome } from "../../../handlers/scanner/batch-operations";
import { type ObjectResult, SkipReason } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { createUploadBucket, tagsOf, upload } from "../support/buckets";
import { encodeKeyLikeS3, s3Event } from "../support/events";
import {
  RecordingLog,
  scannedUploadBucket,
  scannerConfig,
  testDefinitions,
  testScanner,
} from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

/** One task of a schema 2.0 invocation, its key URL-encoded as Batch Operations sends it. */
interface Task {
  taskId: string;
  bucket: string;
  key: string;
  versionId?: string;
  /** Sent as is instead of the encoded key. */
  rawKey?: string;
}

let invocations = 0;

/** A schema 2.0 "Invoke AWS Lambda function" event, as core/batch-operations documents it. */
function batchEvent(tasks: Task[]) {
  invocations += 1;
  return {
    invocationSchemaVersion: "2.0",
    invocationId: `invocation-${invocations}`,
    job: { id: "backlog-job", userArguments: { purpose: "test" } },
    tasks: tasks.map((t) => ({
      taskId: t.taskId,
      s3Bucket: t.bucket,
      s3Key: t.rawKey ?? encodeKeyLikeS3(t.key),
      s3VersionId: t.versionId ?? null,
    })),
  };
}

function byTask(response: BatchOperationsResponse): Record<string, BatchTaskResult> {
  return Object.fromEntries(response.results.map((r) => [r.taskId, r]));
}

describe("scanner: S3 Batch Operations entry point, on the real store and engine", () => {
  let scanner: Scanner;
  let bucket: string;
  let versioned: string;
  const log = new RecordingLog();

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket({}, { log }));
    versioned = await createUploadBucket({ versioned: true });
  });
  after(() => scanner?.close());

  it("answers each task of a schema 2.0 invocation and tags each object it scanned", async function () {
    this.timeout(120_000);
    await upload(bucket, "backlog/clean file+1.txt", "nothing to see here");
    await upload(bucket, "backlog/eicar.com", EICAR);
    // Scanned before, with the definitions in use now: its stamp verifies, so the task is a skip.
    await upload(bucket, "backlog/stamped.txt", "scanned on upload");
    await scanner.handle(s3Event({ bucket, key: "backlog/stamped.txt" }));
    const stampedTags = await tagsOf(bucket, "backlog/stamped.txt");
    assert.equal(stampedTags.Infected, "false");

    const response = (await scanner.handle(
      batchEvent([
        { taskId: "clean", bucket, key: "backlog/clean file+1.txt" },
        { taskId: "eicar", bucket, key: "backlog/eicar.com" },
        { taskId: "missing", bucket, key: "backlog/never-uploaded.txt" },
        { taskId: "stamped", bucket, key: "backlog/stamped.txt" },
        { taskId: "bad-key", bucket, key: "", rawKey: "100%.txt" },
      ]),
    )) as BatchOperationsResponse;

    assert.equal(response.invocationSchemaVersion, "2.0");
    assert.equal(response.invocationId, `invocation-${invocations}`);
    assert.equal(response.treatMissingKeysAs, "PermanentFailure");
    assert.deepEqual(
      response.results.map((r) => r.taskId),
      ["clean", "eicar", "missing", "stamped", "bad-key"],
    );
    const results = byTask(response);
    assert.deepEqual(results.clean, { taskId: "clean", resultCode: "Succeeded", resultString: "clean" });
    assert.equal(results.eicar.resultCode, "Succeeded");
    assert.match(results.eicar.resultString, /^infected:\S*Eicar/);
    assert.deepEqual(results.missing, {
      taskId: "missing",
      resultCode: "PermanentFailure",
      resultString: "skipped:deleted",
    });
    assert.deepEqual(results.stamped, {
      taskId: "stamped",
      resultCode: "Succeeded",
      resultString: "skipped:already-scanned:clean",
    });
    assert.equal(results["bad-key"].resultCode, "PermanentFailure");
    assert.match(results["bad-key"].resultString, /^failed:EventParseError: .*percent-encoding/);

    // The decoded key named the real object: "+" as a space, "%2B" as a plus.
    const clean = await tagsOf(bucket, "backlog/clean file+1.txt");
    assert.equal(clean.Infected, "false");
    assert.equal(clean.ScanResult, "clean");
    assert.equal((await tagsOf(bucket, "backlog/eicar.com")).Infected, "true");
    // The skip wrote nothing: the stamp is the one the upload's scan wrote.
    assert.deepEqual(await tagsOf(bucket, "backlog/stamped.txt"), stampedTags);
  });

  it("scans exactly the version a task names", async function () {
    this.timeout(60_000);
    const v1 = await upload(versioned, "doc.bin", EICAR);
    const v2 = await upload(versioned, "doc.bin", "the clean rewrite");
    const response = (await scanner.handle(
      batchEvent([{ taskId: "v1", bucket: versioned, key: "doc.bin", versionId: v1.VersionId }]),
    )) as BatchOperationsResponse;
    assert.equal(response.results[0].resultCode, "Succeeded");
    assert.match(response.results[0].resultString, /^infected:/);
    assert.equal((await tagsOf(versioned, "doc.bin", v1.VersionId)).Infected, "true");
    assert.deepEqual(await tagsOf(versioned, "doc.bin", v2.VersionId), {});
  });

  it("answers a schema 1.0 invocation (bucket by ARN) in schema 1.0", async function () {
    this.timeout(60_000);
    await upload(bucket, "v1/plain.txt", "plain");
    const response = (await scanner.handle({
      invocationSchemaVersion: "1.0",
      invocationId: "schema-1",
      job: { id: "backlog-job" },
      tasks: [
        { taskId: "t", s3BucketArn: `arn:aws:s3:::${bucket}`, s3Key: "v1/plain.txt", s3VersionId: null },
      ],
    })) as BatchOperationsResponse;
    assert.equal(response.invocationSchemaVersion, "1.0");
    assert.deepEqual(response.results, [{ taskId: "t", resultCode: "Succeeded", resultString: "clean" }]);
    assert.equal((await tagsOf(bucket, "v1/plain.txt")).Infected, "false");
  });

  it("scans invocation after invocation on the same warm engine, not a cold start per object", async function () {
    this.timeout(60_000);
    const before = scanner.status();
    assert.ok(before.enginePid, "the engine is up after the first invocations");
    for (const n of [1, 2, 3]) {
      await upload(bucket, `warm/${n}.txt`, `object ${n}`);
      const response = (await scanner.handle(
        batchEvent([{ taskId: `w${n}`, bucket, key: `warm/${n}.txt` }]),
      )) as BatchOperationsResponse;
      assert.equal(response.results[0].resultString, "clean");
    }
    assert.deepEqual(scanner.status(), before);
  });

  it("logs one line per invocation with the job id and the counts by result code", () => {
    const lines = log.messages("Batch Operations invocation answered");
    const first = lines.find((l) => l.tasks === 5);
    assert.ok(first, "the five-task invocation was logged");
    assert.equal(first.jobId, "backlog-job");
    assert.equal(first.Succeeded, 3);
    assert.equal(first.PermanentFailure, 2);
  });
});

describe("scanner: Batch Operations task faults", () => {
  let definitionsBucket: string;
  let bucket: string;

  before(async function () {
    this.timeout(180_000);
    definitionsBucket = (await testDefinitions()).bucket;
    bucket = await createUploadBucket();
  });
  afterEach(() => sinon.restore());

  it("answers a throttled GetObject TemporaryFailure, leaves the object untagged, and scans the rest", async function () {
    this.timeout(60_000);
    await upload(bucket, "throttled.txt", "clean content");
    await upload(bucket, "fine.txt", "clean content");
    // A client of its own (clientAs makes a new one), so the stub touches no other scanner.
    const s3 = await clientAs("scanner");
    const send = s3.send.bind(s3);
    // What the SDK throws once its own retries of a 503 SlowDown are spent.
    sinon.stub(s3, "send").callsFake((command: unknown) => {
      if (command instanceof GetObjectCommand && command.input.Key === "throttled.txt")
        return Promise.reject(
          new S3ServiceException({
            name: "SlowDown",
            message: "Please reduce your request rate.",
            $fault: "server",
            $metadata: { httpStatusCode: 503 },
          }),
        );
      return send(command as GetObjectCommand);
    });
    const throttledScanner = await testScanner(await scannerConfig(definitionsBucket), { s3 });
    try {
      const response = (await throttledScanner.handle(
        batchEvent([
          { taskId: "throttled", bucket, key: "throttled.txt" },
          { taskId: "fine", bucket, key: "fine.txt" },
        ]),
      )) as BatchOperationsResponse;
      const results = byTask(response);
      assert.deepEqual(results.throttled, {
        taskId: "throttled",
        resultCode: "TemporaryFailure",
        resultString: "failed:SlowDown: Please reduce your request rate.",
      });
      assert.equal(results.fine.resultCode, "Succeeded");
      assert.deepEqual(await tagsOf(bucket, "throttled.txt"), {});
      assert.equal((await tagsOf(bucket, "fine.txt")).Infected, "false");
    } finally {
      await throttledScanner.close();
    }
  });

  it("answers TemporaryFailure for every task while the definitions cannot be read", async function () {
    this.timeout(60_000);
    await upload(bucket, "no-defs.txt", "clean content");
    const blind = await testScanner(await scannerConfig("bucketwarden-no-such-definitions"));
    try {
      const response = (await blind.handle(
        batchEvent([{ taskId: "t", bucket, key: "no-defs.txt" }]),
      )) as BatchOperationsResponse;
      assert.equal(response.results[0].resultCode, "TemporaryFailure");
      assert.match(response.results[0].resultString, /^failed:/);
      assert.deepEqual(await tagsOf(bucket, "no-defs.txt"), {});
    } finally {
      await blind.close();
    }
  });
});

describe("scanner: what each object result means to Batch Operations", () => {
  const object: ObjectRef = { bucket: "b", key: "k" };
  const tagged = (status: ScanStatus, signature?: string): ObjectResult => ({
    outcome: "tagged",
    object,
    actions: [],
    eTag: "e",
    verdict: status === ScanStatus.Clean ? "clean" : "infected",
    status,
    signature,
    definitionsVersion: "1",
    bytes: 1,
    durations: { headMs: 0, getMs: 0, scanMs: 0, tagMs: 0 },
  });
  const table: Array<[string, ObjectResult, string, string]> = [
    ["a clean verdict succeeds", tagged(ScanStatus.Clean), "Succeeded", "clean"],
    [
      "an infected verdict succeeds and names the signature",
      tagged(ScanStatus.Infected, "Eicar-Signature"),
      "Succeeded",
      "infected:Eicar-Signature",
    ],
    [
      "a limits-exceeded verdict succeeds and says so",
      tagged(ScanStatus.LimitsExceeded, "Bucketwarden.Limits.Exceeded.MaxObjectBytes"),
      "Succeeded",
      "limits-exceeded:Bucketwarden.Limits.Exceeded.MaxObjectBytes",
    ],
    [
      "a verdict already there from the current definitions succeeds",
      { outcome: "skipped", object, reason: SkipReason.AlreadyScanned },
      "Succeeded",
      "skipped:already-scanned",
    ],
    [
      "a verdict kept from the current definitions names its status, for the report's counts",
      { outcome: "skipped", object, reason: SkipReason.AlreadyScanned, keptStatus: "infected" },
      "Succeeded",
      "skipped:already-scanned:infected",
    ],
    [
      "a deleted object fails for good",
      { outcome: "skipped", object, reason: SkipReason.Deleted },
      "PermanentFailure",
      "skipped:deleted",
    ],
    [
      "an object overwritten during its scan is retried, so the retry scans what is there now",
      { outcome: "skipped", object, reason: SkipReason.Overwritten },
      "TemporaryFailure",
      "skipped:overwritten",
    ],
    [
      "a failure no retry can change fails for good",
      { outcome: "failed", object, error: new TagLimitError("ten user tags", 10), permanent: true },
      "PermanentFailure",
      "failed:TagLimitError: ten user tags",
    ],
    [
      "any other failure is retried",
      { outcome: "failed", object, error: new Error("socket hang up"), permanent: false },
      "TemporaryFailure",
      "failed:Error: socket hang up",
    ],
  ];
  for (const [title, result, resultCode, resultString] of table)
    it(title, () => assert.deepEqual(taskOutcome(result), { resultCode, resultString }));
});
