import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { BatchOperationsResponse } from "../../../core/batch-operations";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { UpdateStatus } from "../../../handlers/updater/updater";
import { createDefinitionsBucket, createUploadBucket, tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { RecordingLog, scannerConfig, testScanner, testUpdater, updaterConfig } from "../support/handlers";
import { TestMirror } from "../support/mirror";
import { clamExeHdb, markerNdb } from "../support/signatures";

describe("new definitions reach a warm scanner", () => {
  let mirror: TestMirror;
  let definitionsBucket: string;
  let bucket: string;
  const scanners: Scanner[] = [];
  const marker = `new-threat-${randomUUID()}`;

  beforeEach(async function () {
    this.timeout(120_000);
    mirror = await new TestMirror().start();
    mirror.set("bw.hdb", clamExeHdb());
    definitionsBucket = await createDefinitionsBucket();
    bucket = await createUploadBucket();
    const first = await (
      await testUpdater(await updaterConfig(definitionsBucket, [mirror.url("bw.hdb")]))
    ).run();
    assert.equal(first.status, UpdateStatus.Published);
  });
  afterEach(() => mirror.stop());
  after(() => Promise.all(scanners.map((s) => s.close())));

  /** The mirror releases a signature for `marker`; the updater publishes it. */
  async function releaseSignature() {
    mirror.set("bw-new.ndb", markerNdb("Bucketwarden.Test.NewThreat", marker));
    const config = await updaterConfig(definitionsBucket, [mirror.url("bw.hdb"), mirror.url("bw-new.ndb")]);
    const update = await (await testUpdater(config)).run();
    assert.equal(update.status, UpdateStatus.Published);
    return update.version;
  }

  const scan = async (scanner: Scanner, key: string) =>
    ((await scanner.handle(s3Event({ bucket, key }))) as { results: ObjectResult[] }).results[0];

  it("detects a file the new signatures catch, without restarting the engine", async () => {
    const log = new RecordingLog();
    const scanner = await testScanner(await scannerConfig(definitionsBucket), { log });
    scanners.push(scanner);
    await upload(bucket, "before.txt", `payload ${marker} payload`);
    await scan(scanner, "before.txt");
    assert.equal((await tagsOf(bucket, "before.txt")).Infected, "false");
    const warmPid = scanner.status().enginePid;

    const version = await releaseSignature();
    await upload(bucket, "after.txt", `other ${marker} bytes`);
    const result = await scan(scanner, "after.txt");

    assert.equal(result.outcome === "tagged" && result.signature, "Bucketwarden.Test.NewThreat.UNOFFICIAL");
    assert.equal((await tagsOf(bucket, "after.txt")).Infected, "true");
    assert.equal(scanner.status().enginePid, warmPid, "same clamd process");
    assert.equal(scanner.status().definitionsVersion, version);
    assert.equal(log.messages("definitions reloaded").length, 1);
    assert.deepEqual(log.messages("definitions fetched").at(-1)?.downloaded, ["bw-new.ndb"]);
  });

  it("rescans an object delivered again once the definitions changed", async () => {
    const scanner = await testScanner(await scannerConfig(definitionsBucket));
    scanners.push(scanner);
    await upload(bucket, "redelivered.txt", `x ${marker} x`);
    await scan(scanner, "redelivered.txt");
    assert.equal((await tagsOf(bucket, "redelivered.txt")).Infected, "false");
    await releaseSignature();
    const again = await scan(scanner, "redelivered.txt");
    assert.equal(again.outcome, "tagged");
    assert.equal((await tagsOf(bucket, "redelivered.txt")).Infected, "true");
  });

  /** A schema 2.0 Batch Operations invocation for one object, with the job's `mode`. */
  let invocation = 0;
  const batchScan = async (scanner: Scanner, key: string, mode: string) => {
    invocation += 1;
    const response = (await scanner.handle({
      invocationSchemaVersion: "2.0",
      invocationId: `rescan-${invocation}`,
      job: { id: `job-${mode}`, userArguments: { mode } },
      tasks: [{ taskId: "t1", s3Bucket: bucket, s3Key: encodeURIComponent(key), s3VersionId: null }],
    })) as BatchOperationsResponse;
    return response.results[0].resultString;
  };

  it("a rescan job's invocation checks for new definitions at once, within the check interval", async () => {
    const scanner = await testScanner(
      await scannerConfig(definitionsBucket, { definitionsCheckIntervalMs: 3_600_000 }),
    );
    scanners.push(scanner);
    await upload(bucket, "old.txt", `y ${marker} y`);
    await upload(bucket, "control.txt", `z ${marker} z`);
    assert.equal(await batchScan(scanner, "old.txt", "scan-existing"), "clean");
    assert.equal(await batchScan(scanner, "control.txt", "scan-existing"), "clean");
    await releaseSignature();

    // Within the hour, a backlog invocation keeps the definitions it has: the control stays clean.
    assert.equal(await batchScan(scanner, "control.txt", "scan-existing"), "skipped:already-scanned:clean");
    // The rescan the new definitions started asks the bucket and catches the file.
    assert.equal(
      await batchScan(scanner, "old.txt", "rescan"),
      "infected:Bucketwarden.Test.NewThreat.UNOFFICIAL",
    );
    assert.equal((await tagsOf(bucket, "old.txt")).Infected, "true");
  });

  it("looks for new definitions at most every definitionsCheckIntervalMs", async () => {
    let clock = 1_000_000;
    const scanner = await testScanner(
      await scannerConfig(definitionsBucket, { definitionsCheckIntervalMs: 60_000 }),
      {
        now: () => clock,
      },
    );
    scanners.push(scanner);
    const loaded = await scanner.refreshDefinitions();
    const version = await releaseSignature();

    clock += 59_000;
    assert.equal(await scanner.refreshDefinitions(), loaded);
    clock += 1_000;
    assert.equal(await scanner.refreshDefinitions(), version);
  });
});
