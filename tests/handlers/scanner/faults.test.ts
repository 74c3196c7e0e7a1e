import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { SQSBatchResponse } from "aws-lambda";
import sinon from "sinon";
import { EngineError } from "../../../core/errors";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { ObjectReadError } from "../../../handlers/shared/errors";
import { s3Client } from "../../../local/store";
import { createUploadBucket, tagsOf, upload } from "../support/buckets";
import { s3Event, sqsEvent } from "../support/events";
import { scannerConfig, testDefinitions, testScanner } from "../support/handlers";
import { onceAfter } from "../support/hooks";
import { EICAR } from "../support/signatures";
import { testStore } from "../support/store";

/** A 503 SlowDown as S3 sends it when throttling. */
function slowDown() {
  const xml = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
  return {
    response: {
      statusCode: 503,
      reason: "Slow Down",
      headers: { "content-type": "application/xml", "content-length": String(xml.length) },
      body: Readable.from([Buffer.from(xml)]),
    },
  };
}

describe("scanner faults that the real store and engine cannot be made to produce", () => {
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

  async function scannerWith(s3: S3Client, extra = {}) {
    const scanner = await testScanner(await scannerConfig(definitionsBucket, extra), { s3 });
    scanners.push(scanner);
    return scanner;
  }

  /** A scanner client whose HTTP handler answers GetObject of `key` with 503 SlowDown while `throttled` says so. */
  async function throttledClient(key: string, maxAttempts: number, throttled: (n: number) => boolean) {
    const real = new NodeHttpHandler();
    let getObjects = 0;
    const handler = {
      handle: sinon.stub().callsFake((request, options) => {
        const isGet =
          request.method === "GET" && request.path === `/${bucket}/${key}` && !("tagging" in request.query);
        if (isGet && throttled(++getObjects)) return Promise.resolve(slowDown());
        return real.handle(request, options);
      }),
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    };
    const s3 = s3Client(await testStore(), "scanner", { maxAttempts, requestHandler: handler });
    return { s3, handler, getObjects: () => getObjects };
  }

  it("retries a throttled GetObject (503 SlowDown) and then tags the verdict", async () => {
    await upload(bucket, "throttled-once.txt", EICAR);
    const { s3, getObjects } = await throttledClient("throttled-once.txt", 3, (n) => n <= 2);
    const scanner = await scannerWith(s3);
    const report = (await scanner.handle(s3Event({ bucket, key: "throttled-once.txt" }))) as {
      results: ObjectResult[];
    };
    assert.equal(report.results[0].outcome, "tagged");
    assert.equal(getObjects(), 3);
    assert.equal((await tagsOf(bucket, "throttled-once.txt")).Infected, "true");
  });

  it("reports only the throttled message as failed, never clean, when S3 keeps throttling", async () => {
    await upload(bucket, "throttled.txt", "clean content");
    await upload(bucket, "fine.txt", "clean content");
    const { s3 } = await throttledClient("throttled.txt", 2, () => true);
    const scanner = await scannerWith(s3);
    const response = (await scanner.handle(
      sqsEvent([
        { id: "m-throttled", objects: [{ bucket, key: "throttled.txt" }] },
        { id: "m-fine", objects: [{ bucket, key: "fine.txt" }] },
      ]),
    )) as SQSBatchResponse;
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: "m-throttled" }]);
    assert.deepEqual(await tagsOf(bucket, "throttled.txt"), {});
    assert.equal((await tagsOf(bucket, "fine.txt")).Infected, "false");
  });

  /** A scanner client whose GetObject on `key` answers with `body` instead of the store's body. */
  async function clientServing(key: string, body: () => Readable) {
    const s3 = s3Client(await testStore(), "scanner");
    const send = s3.send.bind(s3);
    sinon.stub(s3, "send").callsFake(async (command: unknown) => {
      const output = await send(command as GetObjectCommand);
      if (
        command instanceof GetObjectCommand &&
        command.input.Bucket === bucket &&
        command.input.Key === key
      ) {
        (output.Body as Readable | undefined)?.destroy();
        return { ...output, Body: body() };
      }
      return output;
    });
    return s3;
  }

  it("fails the object and writes no tag when the connection drops mid-stream", async () => {
    await upload(bucket, "dropped.bin", Buffer.concat([Buffer.alloc(200_000, 0x61), EICAR]));
    const s3 = await clientServing("dropped.bin", () =>
      Readable.from(
        (async function* () {
          yield Buffer.alloc(100_000, 0x61);
          throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        })(),
      ),
    );
    const scanner = await scannerWith(s3);
    await scanner.refreshDefinitions();
    const before = scanner.status().enginePid;
    const report = await scanner.scanObjects([{ bucket, key: "dropped.bin" }]);

    assert.equal(report[0].outcome, "failed");
    assert.ok(report[0].outcome === "failed" && report[0].error instanceof ObjectReadError);
    assert.deepEqual(await tagsOf(bucket, "dropped.bin"), {});
    assert.equal(scanner.status().enginePid, before, "the engine is fine and keeps running");
  });

  it("never calls a short body clean, even when it ends without an error", async () => {
    await upload(bucket, "short.bin", Buffer.alloc(50_000, 0x62));
    const s3 = await clientServing("short.bin", () => Readable.from([Buffer.alloc(10_000, 0x62)]));
    const scanner = await scannerWith(s3);
    const [result] = await scanner.scanObjects([{ bucket, key: "short.bin" }]);
    assert.ok(result.outcome === "failed" && result.error instanceof ObjectReadError);
    assert.deepEqual(await tagsOf(bucket, "short.bin"), {});
  });

  it("fails the object when the engine times out, and starts a fresh engine for the next one", async () => {
    await upload(bucket, "stalled.bin", Buffer.alloc(10_000, 0x63));
    await upload(bucket, "after-stall.txt", EICAR);
    const s3 = await clientServing("stalled.bin", () => new Readable({ read() {} }));
    const scanner = await scannerWith(s3, { scanTimeoutMs: 1000 });
    await scanner.refreshDefinitions();
    const first = scanner.status().enginePid;
    const [stalled] = await scanner.scanObjects([{ bucket, key: "stalled.bin" }]);
    const [next] = await scanner.scanObjects([{ bucket, key: "after-stall.txt" }]);

    assert.ok(stalled.outcome === "failed" && stalled.error instanceof EngineError);
    assert.equal(next.outcome, "tagged");
    assert.notEqual(scanner.status().enginePid, first);
  });

  it("fails the object when the engine dies during an object's scan, and starts a fresh engine for the next one", async () => {
    await upload(bucket, "crash.bin", Buffer.alloc(10_000, 0x64));
    await upload(bucket, "after-crash.txt", EICAR);
    const s3 = s3Client(await testStore(), "scanner");
    const scanner = await scannerWith(s3);
    await scanner.refreshDefinitions();
    const first = scanner.status().enginePid;
    onceAfter(s3, "GetObjectCommand", bucket, async () => {
      if (first) process.kill(first, "SIGKILL");
      await new Promise((r) => setTimeout(r, 200));
    });
    const [crashed] = await scanner.scanObjects([{ bucket, key: "crash.bin" }]);
    const [next] = await scanner.scanObjects([{ bucket, key: "after-crash.txt" }]);

    assert.ok(crashed.outcome === "failed" && crashed.error instanceof EngineError, String(crashed));
    assert.deepEqual(await tagsOf(bucket, "crash.bin"), {});
    assert.equal(next.outcome, "tagged");
    assert.notEqual(scanner.status().enginePid, first);
  });
});
