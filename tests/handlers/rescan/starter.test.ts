/**
 * The rescan starter: one CreateJob per upload bucket for a `Definitions Updated` event, built by
 * core/backlog-job, checked against the SDK's own command type; S3 Control is stubbed (sinon), as no
 * store here runs Batch Operations.
 */
import assert from "node:assert/strict";
import { CreateJobCommand, type CreateJobCommandInput, S3ControlClient } from "@aws-sdk/client-s3-control";
import sinon from "sinon";
import { EventParseError } from "../../../core/errors";
import {
  parseDefinitionsUpdated,
  parseRescanStarterConfig,
  RESCAN_CONFIG_VARIABLE,
  type RescanStarterConfig,
  rescanJobRequests,
} from "../../../core/rescan-starter";
import { startRescans } from "../../../handlers/rescan";
import { RecordingLog } from "../support/handlers";

const CONFIG: RescanStarterConfig = {
  accountId: "123456789012",
  partition: "aws",
  jobRoleArn: "arn:aws:iam::123456789012:role/job",
  reportBucketArn: "arn:aws:s3:::reports",
  reportPrefix: "reports/",
  manifestPrefix: "manifests/",
  windowSeconds: 86_400,
  buckets: [
    { bucket: "photos", scannerFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:photos" },
    { bucket: "docs", scannerFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:docs" },
  ],
};
const NOW = new Date("2026-11-26T12:00:00.000Z");
const EVENT = {
  source: "bucketwarden",
  "detail-type": "Definitions Updated",
  detail: { version: "abc123", previousVersion: "old", signaturesAdded: 3, publishedAt: NOW.toISOString() },
};

describe("rescan starter", () => {
  afterEach(() => sinon.restore());

  it("creates one rescan job per bucket over the objects created within the window", async () => {
    const client = new S3ControlClient({ region: "us-east-1" });
    const send = sinon.stub(client, "send").callsFake(async (command: unknown) => ({
      JobId: `job-${((command as CreateJobCommand).input as CreateJobCommandInput).ManifestGenerator?.S3JobManifestGenerator?.SourceBucket}`,
    }));
    const log = new RecordingLog();
    const started = await startRescans({ config: CONFIG, client, log }, EVENT);

    assert.equal(send.callCount, 2);
    const inputs = send.getCalls().map((c) => {
      assert.ok(c.args[0] instanceof CreateJobCommand);
      return (c.args[0] as CreateJobCommand).input;
    });
    for (const [i, input] of inputs.entries()) {
      const generator = input.ManifestGenerator?.S3JobManifestGenerator;
      assert.equal(generator?.SourceBucket, `arn:aws:s3:::${CONFIG.buckets[i].bucket}`);
      assert.deepEqual(generator?.Filter?.CreatedAfter, new Date("2026-11-25T12:00:00.000Z"));
      assert.equal(input.Operation?.LambdaInvoke?.FunctionArn, CONFIG.buckets[i].scannerFunctionArn);
      assert.deepEqual(input.Operation?.LambdaInvoke?.UserArguments, { mode: "rescan" });
      assert.equal(input.Operation?.LambdaInvoke?.InvocationSchemaVersion, "2.0");
      assert.equal(input.RoleArn, CONFIG.jobRoleArn);
      assert.equal(input.ConfirmationRequired, false);
    }
    assert.notEqual(inputs[0].ClientRequestToken, inputs[1].ClientRequestToken);
    assert.deepEqual(
      started.jobs.map((j) => j.bucket),
      ["photos", "docs"],
    );
    assert.equal(log.messages("rescan job created").length, 2);
  });

  it("asks for the same job again when the event is delivered twice (same idempotency token)", () => {
    // Everything comes from the event, not the clock: a retry minutes later sends the same request.
    const first = rescanJobRequests(CONFIG, { version: "abc123", publishedAt: NOW });
    const again = rescanJobRequests(CONFIG, { version: "abc123", publishedAt: NOW });
    const next = rescanJobRequests(CONFIG, { version: "def456", publishedAt: NOW });
    assert.deepEqual(
      first.map((r) => r.ClientRequestToken),
      again.map((r) => r.ClientRequestToken),
    );
    assert.notDeepEqual(
      first.map((r) => r.ClientRequestToken),
      next.map((r) => r.ClientRequestToken),
    );
  });

  it("tries every bucket, then fails so that Lambda retries the event", async () => {
    const client = new S3ControlClient({ region: "us-east-1" });
    sinon
      .stub(client, "send")
      .onFirstCall()
      .rejects(new Error("TooManyRequestsException"))
      .onSecondCall()
      .resolves({ JobId: "job-docs" });
    const log = new RecordingLog();
    await assert.rejects(
      () => startRescans({ config: CONFIG, client, log }, EVENT),
      /1 of 2 rescan jobs not created: photos: TooManyRequestsException/,
    );
    assert.equal(log.messages("rescan job created").length, 1);
  });

  it("refuses an event without its publish time, which the window is measured from", () =>
    assert.throws(
      () => rescanJobRequests(CONFIG, parseDefinitionsUpdated({ ...EVENT, detail: { version: "v" } })),
      /no valid publishedAt/,
    ));

  it("refuses an event that is not Definitions Updated", async () => {
    const client = new S3ControlClient({ region: "us-east-1" });
    const send = sinon.stub(client, "send");
    await assert.rejects(
      () =>
        startRescans(
          { config: CONFIG, client, log: new RecordingLog() },
          { ...EVENT, "detail-type": "Object Scanned" },
        ),
      EventParseError,
    );
    assert.equal(send.callCount, 0);
  });

  it("reads its configuration from one variable, naming it when it is wrong", () => {
    assert.deepEqual(parseRescanStarterConfig({ [RESCAN_CONFIG_VARIABLE]: JSON.stringify(CONFIG) }), CONFIG);
    assert.throws(() => parseRescanStarterConfig({}), /BW_RESCAN_JOBS: is required/);
    assert.throws(
      () =>
        parseRescanStarterConfig({ [RESCAN_CONFIG_VARIABLE]: JSON.stringify({ ...CONFIG, buckets: [] }) }),
      /needs at least one of "buckets"/,
    );
  });
});
