import assert from "node:assert/strict";
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import sinon from "sinon";
import { ConfigError } from "../../../core/errors";
import { EnvVars, parseScannerConfig } from "../../../core/handler-config";
import type { BucketwardenEvent, ObjectScannedDetail } from "../../../core/verdict-event";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { bodyBytes } from "../../../handlers/shared/s3";
import { createQuarantineBucket, createUploadBucket, statusOf, tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { RecordingLog, scannerConfig, testDefinitions, testScanner } from "../support/handlers";
import { RecordingMetrics } from "../support/metrics";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

describe("scanner: quarantine and delete of infected objects, on the real store and engine", () => {
  let definitionsBucket: string;
  let quarantine: string;
  let uploads: string;
  let s3: S3Client;
  let scanner: Scanner;
  const events: BucketwardenEvent[] = [];
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();

  before(async function () {
    this.timeout(180_000);
    definitionsBucket = (await testDefinitions()).bucket;
    quarantine = await createQuarantineBucket();
    uploads = await createUploadBucket({ versioned: true, scannerDeletes: true });
    s3 = await clientAs("scanner");
    scanner = await testScanner(
      await scannerConfig(definitionsBucket, { quarantineBucket: quarantine, deleteInfected: true }),
      { s3, log, metrics, events: { publish: async (e) => void events.push(...e) } },
    );
  });
  after(() => scanner?.close());
  afterEach(() => sinon.restore());

  const detailOf = (key: string) => {
    const found = events.filter((e) => "key" in e.detail && e.detail.key === key);
    assert.equal(found.length, 1, `one event for ${key}`);
    return found[0].detail as ObjectScannedDetail;
  };
  // Listed as the bucket owner: the scanner may list the upload bucket but not the quarantine bucket.
  const versionsOf = async (bucket: string, key: string) =>
    (
      (await (await clientAs("owner")).send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key })))
        .Versions ?? []
    )
      .filter((v) => v.Key === key)
      .map((v) => v.VersionId);

  it("copies an infected upload, bytes and verdict tags, to the quarantine bucket and deletes its version", async function () {
    this.timeout(120_000);
    const put = await upload(uploads, "actions/eicar.com", EICAR, { owner: "alice" });
    await scanner.handle(s3Event({ bucket: uploads, key: "actions/eicar.com", versionId: put.VersionId }));

    const detail = detailOf("actions/eicar.com");
    assert.equal(detail.verdict, "infected");
    const [copied, deleted] = detail.actions;
    assert.deepEqual(
      { ...copied, versionId: undefined },
      {
        action: "quarantine",
        outcome: "done",
        bucket: quarantine,
        key: "actions/eicar.com",
        versionId: undefined,
      },
    );
    // The copy's version as the store lists it; S3 also answers it to CopyObject (Ceph RGW 16.2 does not).
    const [copyVersion] = await versionsOf(quarantine, "actions/eicar.com");
    assert.ok(copyVersion, "the copy is in the versioned quarantine bucket");
    if (copied.versionId !== undefined) assert.equal(copied.versionId, copyVersion);
    assert.deepEqual(deleted, {
      action: "delete",
      outcome: "done",
      bucket: uploads,
      key: "actions/eicar.com",
      versionId: put.VersionId,
    });

    const copy = await s3.send(
      new GetObjectCommand({ Bucket: quarantine, Key: "actions/eicar.com", VersionId: copyVersion }),
    );
    assert.deepEqual(await bodyBytes(copy.Body), Buffer.from(EICAR));
    const tags = await tagsOf(quarantine, "actions/eicar.com", copyVersion);
    assert.equal(tags.Infected, "true");
    assert.match(tags.ScanResult ?? "", /Eicar/i);
    assert.equal(tags.owner, "alice", "the uploader's own tags travel with the copy");
    assert.deepEqual(await versionsOf(uploads, "actions/eicar.com"), [], "the infected version is gone");
    assert.equal(metrics.of("InfectedObjectsQuarantined"), 1);
    assert.equal(metrics.of("InfectedObjectsDeleted"), 1);
  });

  it("lets no one but the scanner read the quarantined copy, even a user the bucket grants reads", async function () {
    this.timeout(120_000);
    await upload(uploads, "actions/read-me.com", EICAR);
    await scanner.handle(s3Event({ bucket: uploads, key: "actions/read-me.com" }));
    const uploader = await clientAs("uploader");
    assert.equal(
      await statusOf(uploader.send(new GetObjectCommand({ Bucket: quarantine, Key: "actions/read-me.com" }))),
      403,
    );
    assert.equal(
      await statusOf(s3.send(new GetObjectCommand({ Bucket: quarantine, Key: "actions/read-me.com" }))),
      200,
    );
  });

  it("leaves a clean upload where it is and copies nothing", async function () {
    this.timeout(120_000);
    const put = await upload(uploads, "actions/clean.txt", "harmless");
    await scanner.handle(s3Event({ bucket: uploads, key: "actions/clean.txt", versionId: put.VersionId }));
    assert.deepEqual(detailOf("actions/clean.txt").actions, []);
    assert.deepEqual(await versionsOf(uploads, "actions/clean.txt"), [put.VersionId]);
    assert.equal((await tagsOf(uploads, "actions/clean.txt", put.VersionId)).Infected, "false");
    assert.deepEqual(await versionsOf(quarantine, "actions/clean.txt"), []);
  });

  it("deletes nothing when the quarantine copy fails", async function () {
    this.timeout(120_000);
    const put = await upload(uploads, "actions/copy-fails.com", EICAR);
    const send = s3.send.bind(s3);
    sinon.stub(s3, "send").callsFake(((command: { constructor: { name: string } }) => {
      if (command.constructor.name === "CopyObjectCommand")
        return Promise.reject(
          Object.assign(new Error("We encountered an internal error"), { name: "InternalError" }),
        );
      return send(command as never);
    }) as never);
    await scanner.handle(
      s3Event({ bucket: uploads, key: "actions/copy-fails.com", versionId: put.VersionId }),
    );
    sinon.restore();

    const [copied, deleted] = detailOf("actions/copy-fails.com").actions;
    assert.equal(copied.outcome, "failed");
    assert.match(copied.error ?? "", /InternalError/);
    assert.equal(deleted.action, "delete");
    assert.equal(deleted.outcome, "skipped");
    assert.deepEqual(await versionsOf(uploads, "actions/copy-fails.com"), [put.VersionId]);
    assert.equal((await tagsOf(uploads, "actions/copy-fails.com", put.VersionId)).Infected, "true");
    assert.ok(log.messages("quarantine copy failed; the object stays in place, tagged infected").length > 0);
  });

  it("quarantines an infected object of an unversioned bucket but does not delete its key", async function () {
    this.timeout(120_000);
    const plain = await createUploadBucket({ scannerDeletes: true });
    await upload(plain, "actions/plain.com", EICAR);
    await scanner.handle(s3Event({ bucket: plain, key: "actions/plain.com" }));
    const [copied, deleted] = detailOf("actions/plain.com").actions;
    assert.equal(copied.outcome, "done");
    assert.equal(deleted.outcome, "skipped");
    assert.match(deleted.reason ?? "", /unversioned/);
    assert.equal((await tagsOf(plain, "actions/plain.com")).Infected, "true");
  });
});

describe("scanner configuration: deleting infected objects", () => {
  const base = { [EnvVars.definitionsBucket]: "defs" };

  it("refuses a delete with neither a quarantine bucket nor an acknowledgement", () => {
    assert.throws(
      () => parseScannerConfig({ ...base, [EnvVars.deleteInfected]: "true" }),
      (e: unknown) => e instanceof ConfigError && e.setting === EnvVars.deleteInfected,
    );
  });

  it("accepts a delete with a quarantine bucket, or with the acknowledgement", () => {
    const quarantined = parseScannerConfig({
      ...base,
      [EnvVars.deleteInfected]: "true",
      [EnvVars.quarantineBucket]: "q",
    });
    assert.equal(quarantined.quarantineBucket, "q");
    const acknowledged = parseScannerConfig({
      ...base,
      [EnvVars.deleteInfected]: "true",
      [EnvVars.deleteWithoutQuarantine]: "true",
    });
    assert.equal(acknowledged.deleteInfected, true);
    assert.equal(acknowledged.quarantineBucket, undefined);
  });

  it("takes no action by default", () => {
    const config = parseScannerConfig(base);
    assert.equal(config.quarantineBucket, undefined);
    assert.equal(config.deleteInfected, false);
  });
});
