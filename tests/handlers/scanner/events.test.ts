import assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { DefinitionsError, ScanFailedError } from "../../../handlers/shared/errors";
import { createBucket, createDefinitionsBucket, tagsOf, upload } from "../support/buckets";
import { s3Event, s3Record, sqsEvent } from "../support/events";
import { scannedUploadBucket, scannerConfig, testScanner } from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

describe("scanner events and partial failures", () => {
  let scanner: Scanner;
  let bucket: string;
  let forbidden: string;

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket());
    // A bucket that grants the scanner nothing (the owner's: the uploader may not create buckets).
    forbidden = await createBucket("private");
    const owner = await clientAs("owner");
    await owner.send(new PutObjectCommand({ Bucket: forbidden, Key: "secret.txt", Body: "x" }));
  });
  after(() => scanner?.close());

  it("scans every message of an SQS batch and names only the failed ones in batchItemFailures", async () => {
    await upload(bucket, "sqs/a.txt", EICAR);
    await upload(bucket, "sqs/b.txt", "clean");
    const response = (await scanner.handle(
      sqsEvent([
        { id: "m1", objects: [{ bucket, key: "sqs/a.txt" }] },
        { id: "m2", body: "not json" },
        { id: "m3", objects: [{ bucket: forbidden, key: "secret.txt" }] },
        { id: "m4", objects: [{ bucket, key: "sqs/b.txt" }] },
      ]),
    )) as SQSBatchResponse;

    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m2" }, { itemIdentifier: "m3" }]);
    assert.equal((await tagsOf(bucket, "sqs/a.txt")).Infected, "true");
    assert.equal((await tagsOf(bucket, "sqs/b.txt")).Infected, "false");
  });

  it("accepts S3 events that reached SQS through SNS", async () => {
    await upload(bucket, "sns/a.txt", EICAR);
    const body = JSON.stringify({
      Type: "Notification",
      Message: JSON.stringify(s3Event({ bucket, key: "sns/a.txt" })),
    });
    const response = (await scanner.handle(sqsEvent([{ id: "m1", body }]))) as SQSBatchResponse;
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal((await tagsOf(bucket, "sns/a.txt")).Infected, "true");
  });

  it("does nothing for S3's test event", async () => {
    assert.deepEqual(await scanner.handle({ Event: "s3:TestEvent", Bucket: bucket }), { results: [] });
  });

  it("throws for a direct invocation when an object failed, after scanning the others", async () => {
    await upload(bucket, "direct/ok.txt", "clean");
    const error = await scanner
      .handle(s3Event({ bucket: forbidden, key: "secret.txt" }, { bucket, key: "direct/ok.txt" }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof ScanFailedError);
    assert.deepEqual(
      error.failures.map((f) => f.key),
      ["secret.txt"],
    );
    assert.equal((await tagsOf(bucket, "direct/ok.txt")).Infected, "false");
  });

  it("ignores records that are not object creations", async () => {
    const removed = { ...s3Record({ bucket, key: "whatever" }), eventName: "ObjectRemoved:Delete" };
    const report = (await scanner.handle({ Records: [removed] })) as { results: ObjectResult[] };
    assert.deepEqual(report.results, []);
  });

  it("fails every message, tagging nothing, while no definitions are published", async () => {
    const empty = await createDefinitionsBucket();
    const blind = await testScanner(await scannerConfig(empty));
    try {
      await upload(bucket, "nodefs.txt", "clean");
      const response = (await blind.handle(
        sqsEvent([{ id: "m1", objects: [{ bucket, key: "nodefs.txt" }] }]),
      )) as SQSBatchResponse;
      assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m1" }]);
      const direct = await blind.handle(s3Event({ bucket, key: "nodefs.txt" })).catch((e: unknown) => e);
      assert.ok(direct instanceof ScanFailedError && direct.failures[0].error instanceof DefinitionsError);
      assert.deepEqual(await tagsOf(bucket, "nodefs.txt"), {});
    } finally {
      await blind.close();
    }
  });
});
