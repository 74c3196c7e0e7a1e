import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSBatchResponse } from "aws-lambda";
import sinon from "sinon";
import { EnvVars } from "../../../core/handler-config";
import { sqsEvent } from "../support/events";
import { captureOutput, fakeContext, jsonLines } from "../support/lambda-context";

/**
 * The scanner's Lambda entry point with Lambda's `context`: its Powertools log lines carry the
 * request id and the cold-start marker. A message that is not an S3 event is logged without starting
 * the engine, so this needs neither store nor definitions.
 */
const entry = require.resolve("../../../handlers/scanner/index");

describe("scanner Lambda handler: the invocation's context in every log line", () => {
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), "bw-handler-context-"));
  after(() => {
    delete require.cache[entry];
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => sinon.restore());

  async function invoke(requestId: string): Promise<{ response: SQSBatchResponse; written: string[] }> {
    const written = captureOutput();
    try {
      const { handler } = require(entry) as typeof import("../../../handlers/scanner/index");
      const response = (await handler(
        sqsEvent([{ id: `m-${requestId}`, body: "not an S3 event" }]),
        fakeContext(requestId, "bucketwarden-scanner"),
      )) as SQSBatchResponse;
      return { response, written };
    } finally {
      sinon.restore();
    }
  }

  it("marks the first invocation's lines cold and the next one's warm, each with its request id", async () => {
    Object.assign(process.env, {
      [EnvVars.definitionsBucket]: "defs",
      [EnvVars.eventsFile]: join(dir, "events.jsonl"),
      [EnvVars.workDir]: dir,
      BW_SQS_RETRY_BACKOFF: "off",
      AWS_REGION: "us-east-1",
      // What Lambda sets for an on-demand environment; Powertools marks cold starts only then.
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    });
    // A fresh copy of the entry module, as a new execution environment loads it: its logger and
    // scanner are made from the environment above, whatever other tests loaded before.
    delete require.cache[entry];
    const first = await invoke("req-1");
    const second = await invoke("req-2");

    assert.deepEqual(first.response.batchItemFailures, [{ itemIdentifier: "m-req-1" }]);
    const line = (written: string[]) => {
      const found = jsonLines(written).find((l) => l.message === "message is not an S3 event");
      assert.ok(found, `no log line in:\n${written.join("")}`);
      return found;
    };
    const cold = line(first.written);
    assert.equal(cold.function_request_id, "req-1");
    assert.equal(cold.cold_start, true);
    assert.equal(cold.function_name, "bucketwarden-scanner");
    assert.equal(cold.service, "bucketwarden-scanner");
    const warm = line(second.written);
    assert.equal(warm.function_request_id, "req-2");
    assert.equal(warm.cold_start, false);
  });
});
