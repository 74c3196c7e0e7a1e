/**
 * The updater tells a publish that adds signatures from one that does not, on the real store with the
 * test signatures from a loopback mirror, records it in its result and manifest, and sends
 * `Definitions Updated` through the same sinks as the verdict events.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DEFINITIONS_UPDATED } from "../../../core/definitions-event";
import { manifestKey, parseManifest } from "../../../core/manifest";
import type { BucketwardenEvent } from "../../../core/verdict-event";
import { EventPublishError } from "../../../handlers/shared/errors";
import { type EventSink, jsonLinesSink } from "../../../handlers/shared/events";
import { bodyBytes } from "../../../handlers/shared/s3";
import { UpdateStatus } from "../../../handlers/updater/updater";
import { createDefinitionsBucket } from "../support/buckets";
import { RecordingLog, scratchDir, testUpdater, updaterConfig } from "../support/handlers";
import { RecordingMetrics } from "../support/metrics";
import { TestMirror } from "../support/mirror";
import { clamExeHdb, eicarNdb, markerNdb } from "../support/signatures";
import { clientAs } from "../support/store";

class RecordingSink implements EventSink {
  readonly events: BucketwardenEvent[] = [];
  async publish(events: readonly BucketwardenEvent[]) {
    this.events.push(...events);
  }
}

async function manifestOf(bucket: string) {
  const owner = await clientAs("owner");
  const res = await owner.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey("clamav/") }));
  return parseManifest((await bodyBytes(res.Body)).toString("utf8"));
}

describe("updater: whether new definitions add signatures, on the real store", () => {
  let mirror: TestMirror;
  let later = 0;
  /** Serves `content` as newer than what freshclam fetched before. */
  const serve = (name: string, content: string) => {
    later += 2000;
    mirror.set(name, content, new Date(Date.now() + later));
  };

  beforeEach(async () => {
    mirror = await new TestMirror().start();
    mirror.set("bw.hdb", clamExeHdb());
    mirror.set("bw.ndb", eicarNdb());
  });
  afterEach(() => mirror.stop());

  it("sends no event for the first publish, when nothing was scanned with older definitions", async () => {
    const bucket = await createDefinitionsBucket();
    const events = new RecordingSink();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const first = await (await testUpdater(config, { events })).run();
    assert.equal(first.status, UpdateStatus.Published);
    assert.equal(first.signatureChange, undefined);
    assert.deepEqual(events.events, []);
    const manifest = await manifestOf(bucket);
    assert.deepEqual(
      manifest.files.map((f) => [f.name, f.signatures]),
      [
        ["bw.hdb", 1],
        ["bw.ndb", 1],
      ],
    );
    assert.equal(manifest.addedSignatures, undefined);
  });

  it("reports added signatures in its result and manifest and sends Definitions Updated", async () => {
    const bucket = await createDefinitionsBucket();
    const events = new RecordingSink();
    const log = new RecordingLog();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const first = await (await testUpdater(config, { events })).run();
    serve("bw.ndb", eicarNdb() + markerNdb("Bucketwarden.Test.New", "caught by the new signature"));
    const second = await (
      await testUpdater({ ...config, workDir: scratchDir("upd") }, { events, log })
    ).run();

    assert.equal(second.status, UpdateStatus.Published);
    assert.equal(second.signatureChange?.added, true);
    assert.equal(second.signatureChange?.signaturesAdded, 1);
    assert.equal(second.signatureChange?.previousVersion, first.version);
    assert.deepEqual(second.signatureChange?.databases, [
      { name: "bw.ndb", previousSignatures: 1, signatures: 2, added: true },
    ]);
    const manifest = await manifestOf(bucket);
    assert.deepEqual(manifest.addedSignatures, {
      previousVersion: first.version,
      signaturesAdded: 1,
      databases: ["bw.ndb"],
    });

    assert.equal(events.events.length, 1);
    const [event] = events.events;
    assert.equal(event.source, "bucketwarden");
    assert.equal(event.detailType, DEFINITIONS_UPDATED);
    assert.deepEqual(
      { ...event.detail, publishedAt: undefined },
      {
        definitionsBucket: bucket,
        previousVersion: first.version,
        version: second.version,
        signaturesAdded: 1,
        databases: [{ name: "bw.ndb", previousSignatures: 1, signatures: 2, added: true }],
        publishedAt: undefined,
      },
    );
    assert.equal(log.messages("definitions add signatures").length, 1);
  });

  it("sends no event when an update only drops signatures", async () => {
    const bucket = await createDefinitionsBucket();
    const events = new RecordingSink();
    serve("bw.ndb", eicarNdb() + markerNdb("Bucketwarden.Test.Old", "retired"));
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    await (await testUpdater(config, { events })).run();
    serve("bw.ndb", eicarNdb());
    const second = await (await testUpdater({ ...config, workDir: scratchDir("upd") }, { events })).run();

    assert.equal(second.status, UpdateStatus.Published);
    assert.equal(second.signatureChange?.added, false);
    assert.deepEqual(events.events, []);
    assert.equal((await manifestOf(bucket)).addedSignatures, undefined);
  });

  it("writes the event to local mode's JSON Lines file", async () => {
    const bucket = await createDefinitionsBucket();
    const file = join(scratchDir("events"), "events.jsonl");
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    await (await testUpdater(config)).run();
    // An .hdb line (md5:size:name) for the 4 bytes "test".
    serve("bw.hdb", `${clamExeHdb()}098f6bcd4621d373cade4e832627b4f6:4:Bucketwarden.Test.Word\n`);
    await (
      await testUpdater({ ...config, workDir: scratchDir("upd") }, { events: jsonLinesSink(file) })
    ).run();
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].detailType, DEFINITIONS_UPDATED);
    assert.deepEqual(
      lines[0].detail.databases.map((d: { name: string }) => d.name),
      ["bw.hdb"],
    );
  });

  it("publishes all the same when the event cannot be delivered, and counts the loss", async () => {
    const bucket = await createDefinitionsBucket();
    const metrics = new RecordingMetrics();
    const failing: EventSink = {
      publish: async () => {
        throw new EventPublishError("bus unreachable", 1);
      },
    };
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    await (await testUpdater(config)).run();
    serve("bw.ndb", eicarNdb() + markerNdb("Bucketwarden.Test.Late", "late"));
    const second = await (
      await testUpdater({ ...config, workDir: scratchDir("upd") }, { events: failing, metrics })
    ).run();
    assert.equal(second.status, UpdateStatus.Published);
    assert.equal(second.signatureChange?.added, true);
    assert.equal(metrics.of("DefinitionsEventsLost"), 1);
  });
});
