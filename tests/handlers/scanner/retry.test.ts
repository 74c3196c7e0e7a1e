import assert from "node:assert/strict";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import sinon from "sinon";
import {
  queueUrlFromArn,
  RETRY_MAX_SECONDS,
  type RetryingMessage,
  retryDelaySeconds,
  sqsDelayRetry,
} from "../../../handlers/scanner/retry";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { s3Client } from "../../../local/store";
import { createUploadBucket, tagsOf, upload } from "../support/buckets";
import { type EventObject, sqsEvent } from "../support/events";
import { RecordingLog, scannerConfig, testDefinitions, testScanner } from "../support/handlers";
import { testStore } from "../support/store";

const QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:bw-scan";

/** An SQS batch as Lambda's event source mapping delivers it, receive counts included. */
function sqsBatch(messages: Array<{ id: string; objects: EventObject[]; receiveCount: number }>) {
  const event = sqsEvent(messages);
  return {
    Records: event.Records.map((r, i) => ({
      ...r,
      receiptHandle: `handle-${r.messageId}`,
      eventSourceARN: QUEUE_ARN,
      attributes: { ApproximateReceiveCount: String(messages[i].receiveCount) },
    })),
  };
}

describe("scanner retries: back-off for transient failures, none for permanent ones", () => {
  describe("the back-off", () => {
    const table: Array<[number, number]> = [
      [1, 10],
      [2, 20],
      [3, 40],
      [5, 160],
      [8, RETRY_MAX_SECONDS],
      [1000, RETRY_MAX_SECONDS],
      [Number.NaN, 10],
    ];
    for (const [count, seconds] of table)
      it(`waits ${seconds} s after receive number ${count}`, () =>
        assert.equal(retryDelaySeconds(count), seconds));

    it("dead-letters within minutes, not hours, at the queue's 5 receives", () => {
      const total = [1, 2, 3, 4, 5].reduce((sum, n) => sum + retryDelaySeconds(n), 0);
      assert.ok(total <= 10 * 60, `${total} s`);
    });

    const urls: Array<[string, string]> = [
      [QUEUE_ARN, "https://sqs.eu-west-1.amazonaws.com/123456789012/bw-scan"],
      ["arn:aws-cn:sqs:cn-north-1:123456789012:q", "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q"],
    ];
    for (const [arn, url] of urls)
      it(`finds the queue URL of ${arn}`, () => assert.equal(queueUrlFromArn(arn), url));

    it("asks SQS to show the message again after the back-off", async () => {
      const sqs = new SQSClient({ region: "eu-west-1" });
      const send = sinon.stub(sqs, "send").resolves({});
      const message: RetryingMessage = {
        messageId: "m",
        receiptHandle: "rh",
        queueArn: QUEUE_ARN,
        receiveCount: 2,
      };
      await sqsDelayRetry(sqs)(message, 20);
      const command = send.firstCall.args[0] as unknown as ChangeMessageVisibilityCommand;
      assert.ok(command instanceof ChangeMessageVisibilityCommand);
      assert.deepEqual(command.input, {
        QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/bw-scan",
        ReceiptHandle: "rh",
        VisibilityTimeout: 20,
      });
    });
  });

  describe("on the real store and engine", () => {
    let definitionsBucket: string;
    let bucket: string;
    const scanners: Scanner[] = [];

    before(async function () {
      this.timeout(180_000);
      definitionsBucket = (await testDefinitions()).bucket;
      bucket = await createUploadBucket();
    });
    afterEach(() => sinon.restore());
    after(() => Promise.all(scanners.map((s) => s.close())));

    /** A scanner client whose GetObject of `key` fails as S3 does when throttling (sinon: S3 cannot be made to). */
    async function throttling(key: string): Promise<S3Client> {
      const s3 = s3Client(await testStore(), "scanner", { maxAttempts: 1 });
      const send = s3.send.bind(s3);
      sinon.stub(s3, "send").callsFake(async (command: unknown) => {
        if (
          command instanceof GetObjectCommand &&
          command.input.Bucket === bucket &&
          command.input.Key === key
        )
          throw Object.assign(new Error("Please reduce your request rate."), {
            name: "SlowDown",
            $metadata: { httpStatusCode: 503 },
          });
        return send(command as GetObjectCommand);
      });
      return s3;
    }

    async function scannerWith(s3: S3Client, delayRetry: sinon.SinonStub, log = new RecordingLog()) {
      const scanner = await testScanner(await scannerConfig(definitionsBucket), { s3, delayRetry, log });
      scanners.push(scanner);
      return scanner;
    }

    it("delays a transient failure's retry by its back-off, and retries only it", async () => {
      const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, `v${i}`]));
      await upload(bucket, "slow.txt", "clean");
      await upload(bucket, "ten-tags.txt", "clean", ten);
      await upload(bucket, "fine.txt", "clean");
      const delayRetry = sinon.stub().resolves();
      const scanner = await scannerWith(await throttling("slow.txt"), delayRetry);
      const response = (await scanner.handle(
        sqsBatch([
          { id: "m-slow", objects: [{ bucket, key: "slow.txt" }], receiveCount: 3 },
          { id: "m-ten", objects: [{ bucket, key: "ten-tags.txt" }], receiveCount: 1 },
          { id: "m-fine", objects: [{ bucket, key: "fine.txt" }], receiveCount: 1 },
        ]),
      )) as SQSBatchResponse;

      assert.deepEqual(
        response.batchItemFailures,
        [{ itemIdentifier: "m-slow" }],
        "the 10-tag failure is not retried",
      );
      assert.equal(delayRetry.callCount, 1);
      const [message, seconds] = delayRetry.firstCall.args as [RetryingMessage, number];
      assert.deepEqual(message, {
        messageId: "m-slow",
        receiptHandle: "handle-m-slow",
        queueArn: QUEUE_ARN,
        receiveCount: 3,
      });
      assert.equal(seconds, retryDelaySeconds(3));
      assert.deepEqual(await tagsOf(bucket, "slow.txt"), {}, "never clean before it is scanned");
      assert.equal((await tagsOf(bucket, "ten-tags.txt")).Infected, undefined, "stays unreadable");
      assert.equal((await tagsOf(bucket, "fine.txt")).Infected, "false");
    });

    it("still reports the failure when the back-off cannot be set", async () => {
      await upload(bucket, "slow-2.txt", "clean");
      const delayRetry = sinon.stub().rejects(new Error("AccessDenied"));
      const log = new RecordingLog();
      const scanner = await scannerWith(await throttling("slow-2.txt"), delayRetry, log);
      const response = (await scanner.handle(
        sqsBatch([{ id: "m", objects: [{ bucket, key: "slow-2.txt" }], receiveCount: 1 }]),
      )) as SQSBatchResponse;

      assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m" }]);
      assert.equal(
        log.messages("could not delay the retry; the queue's visibility timeout applies").length,
        1,
      );
    });
  });
});
