import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import sinon from "sinon";
import {
  EVENT_SOURCE,
  EventDetailType,
  type ObjectScannedDetail,
  type VerdictEvent,
} from "../../../core/verdict-event";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { EventPublishError } from "../../../handlers/shared/errors";
import { type EventSink, eventBridgeSink, httpSink, sinkFromConfig } from "../../../handlers/shared/events";
import { tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { RecordingLog, scannedUploadBucket, scratchDir } from "../support/handlers";
import { RecordingMetrics } from "../support/metrics";
import { EICAR } from "../support/signatures";

/** Keeps every batch it is given. */
class RecordingSink implements EventSink {
  readonly batches: VerdictEvent[][] = [];
  async publish(events: readonly VerdictEvent[]) {
    this.batches.push([...events]);
  }
  get events(): VerdictEvent[] {
    return this.batches.flat();
  }
}

function scanned(event: VerdictEvent | undefined): ObjectScannedDetail {
  assert.ok(event);
  assert.equal(event.source, EVENT_SOURCE);
  assert.equal(event.detailType, EventDetailType.Scanned);
  return event.detail as ObjectScannedDetail;
}

describe("scanner: verdict events, on the real store and engine", () => {
  let scanner: Scanner;
  let bucket: string;
  let definitionsVersion: string;
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();
  // The sink each test sets; the scanner (and its engine) is created once.
  let sink: EventSink = new RecordingSink();

  before(async function () {
    this.timeout(180_000);
    let definitions: Awaited<ReturnType<typeof scannedUploadBucket>>["definitions"];
    ({ bucket, scanner, definitions } = await scannedUploadBucket(
      {},
      { log, metrics, events: { publish: (events) => sink.publish(events) } },
    ));
    definitionsVersion = definitions.result.version ?? "";
  });
  after(() => scanner?.close());

  it("publishes one event per verdict with the object, verdict, signature and definitions", async function () {
    this.timeout(120_000);
    const recording = new RecordingSink();
    sink = recording;
    const clean = await upload(bucket, "events/clean.txt", "nothing to see here");
    const infected = await upload(bucket, "events/eicar.com", EICAR);
    await scanner.handle(s3Event({ bucket, key: "events/clean.txt" }, { bucket, key: "events/eicar.com" }));

    assert.equal(recording.batches.length, 1, "one publish per invocation");
    const byKey = new Map(recording.events.map((e) => [e.detail.key, scanned(e)]));
    const c = byKey.get("events/clean.txt");
    const i = byKey.get("events/eicar.com");
    assert.ok(c && i);
    assert.deepEqual(
      { ...c, scannedAt: undefined },
      {
        bucket,
        key: "events/clean.txt",
        eTag: clean.ETag?.replace(/"/g, ""),
        size: "nothing to see here".length,
        verdict: "clean",
        blocked: false,
        definitionsVersion,
        scannedAt: undefined,
        actions: [],
      },
    );
    assert.ok(!Number.isNaN(Date.parse(c.scannedAt)));
    assert.equal(i.verdict, "infected");
    assert.equal(i.blocked, true);
    assert.match(i.signature ?? "", /Eicar/i);
    assert.equal(i.eTag, infected.ETag?.replace(/"/g, ""));
    assert.equal(i.size, EICAR.length);
    assert.equal(i.definitionsVersion, definitionsVersion);
  });

  it("sends no event for an object already scanned with the same definitions", async function () {
    this.timeout(120_000);
    await upload(bucket, "events/twice.txt", "scanned once");
    sink = new RecordingSink();
    await scanner.handle(s3Event({ bucket, key: "events/twice.txt" }));
    const recording = new RecordingSink();
    sink = recording;
    await scanner.handle(s3Event({ bucket, key: "events/twice.txt" }));
    assert.deepEqual(recording.events, []);
  });

  it("sends no event for an object that is gone (a skip decides nothing)", async function () {
    this.timeout(120_000);
    const recording = new RecordingSink();
    sink = recording;
    await scanner.handle(s3Event({ bucket, key: "events/never-uploaded.txt" }));
    assert.deepEqual(recording.events, []);
  });

  it("publishes an Object Scan Failed event for a clean object whose ten tags leave no room", async function () {
    this.timeout(120_000);
    const recording = new RecordingSink();
    sink = recording;
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, n) => [`t${n}`, `v${n}`]));
    await upload(bucket, "events/ten-tags.txt", "clean but full", ten);
    await scanner.handle(s3Event({ bucket, key: "events/ten-tags.txt" }));

    assert.equal(recording.events.length, 1);
    const [event] = recording.events;
    assert.equal(event.detailType, EventDetailType.ScanFailed);
    assert.ok(event.detailType === EventDetailType.ScanFailed);
    assert.deepEqual(
      [event.detail.bucket, event.detail.key, event.detail.error, event.detail.permanent],
      [bucket, "events/ten-tags.txt", "TagLimitError", true],
    );
  });

  it("tags the verdict even when the sink fails, and logs and counts the lost events", async function () {
    this.timeout(120_000);
    const failing = sinon.stub().rejects(new EventPublishError("bus down", 2));
    sink = { publish: failing };
    const before = metrics.of("VerdictEventsLost");
    await upload(bucket, "events/sink-down-clean.txt", "still scanned");
    await upload(bucket, "events/sink-down-eicar.com", EICAR);
    const report = await scanner.handle(
      s3Event({ bucket, key: "events/sink-down-clean.txt" }, { bucket, key: "events/sink-down-eicar.com" }),
    );

    assert.equal(failing.callCount, 1);
    assert.ok("results" in report);
    assert.deepEqual(
      (report.results as Array<{ outcome?: string }>).map((r) => r.outcome),
      ["tagged", "tagged"],
    );
    assert.equal((await tagsOf(bucket, "events/sink-down-clean.txt")).Infected, "false");
    assert.equal((await tagsOf(bucket, "events/sink-down-eicar.com")).Infected, "true");
    assert.equal(metrics.of("VerdictEventsLost") - before, 2);
    assert.equal(log.messages("verdict events not delivered").length, 1);
  });

  it("writes a JSON line per verdict and POSTs each event in local mode's configuration", async function () {
    this.timeout(120_000);
    const posted: unknown[] = [];
    const server: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        posted.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const file = join(scratchDir("events"), ".local", "events.jsonl");
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      sink = sinkFromConfig({ eventsFile: file, eventsUrl: url });
      await upload(bucket, "events/local-clean.txt", "local");
      await upload(bucket, "events/local-eicar.com", EICAR);
      await scanner.handle(s3Event({ bucket, key: "events/local-clean.txt" }));
      await scanner.handle(s3Event({ bucket, key: "events/local-eicar.com" }));

      const lines = readFileSync(file, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as VerdictEvent);
      assert.deepEqual(
        lines.map((e) => [e.detail.key, scanned(e).verdict]),
        [
          ["events/local-clean.txt", "clean"],
          ["events/local-eicar.com", "infected"],
        ],
      );
      assert.deepEqual(posted, lines);
    } finally {
      server.close();
    }
  });
});

describe("handlers/shared/events: the EventBridge sink", () => {
  afterEach(() => sinon.restore());

  function events(n: number): VerdictEvent[] {
    return Array.from({ length: n }, (_, i) => ({
      source: EVENT_SOURCE,
      detailType: EventDetailType.Scanned,
      detail: {
        bucket: "uploads",
        key: `k${i}`,
        eTag: "e",
        size: 1,
        verdict: "clean",
        blocked: false,
        definitionsVersion: "d1",
        scannedAt: "2026-11-26T16:00:00.000Z",
        actions: [],
      },
    }));
  }

  it("sends PutEvents of at most ten entries to the bus named", async () => {
    const client = new EventBridgeClient({ region: "us-east-1" });
    const send = sinon.stub(client, "send").resolves({ FailedEntryCount: 0, Entries: [] });
    await eventBridgeSink(client, "security").publish(events(12));

    assert.equal(send.callCount, 2);
    const inputs = send.getCalls().map((c) => (c.args[0] as PutEventsCommand).input);
    assert.ok(send.getCalls().every((c) => c.args[0] instanceof PutEventsCommand));
    assert.deepEqual(
      inputs.map((i) => i.Entries?.length),
      [10, 2],
    );
    const first = inputs[0].Entries?.[0];
    assert.equal(first?.Source, "bucketwarden");
    assert.equal(first?.DetailType, "Object Scanned");
    assert.equal(first?.EventBusName, "security");
    assert.deepEqual(first?.Resources, ["arn:aws:s3:::uploads"]);
    assert.equal(JSON.parse(first?.Detail ?? "{}").key, "k0");
  });

  it("leaves the bus out (the default bus) when none is named", async () => {
    const client = new EventBridgeClient({ region: "us-east-1" });
    const send = sinon.stub(client, "send").resolves({ FailedEntryCount: 0, Entries: [] });
    await eventBridgeSink(client, undefined).publish(events(1));
    const entry = (send.firstCall.args[0] as PutEventsCommand).input.Entries?.[0];
    assert.equal(entry && "EventBusName" in entry, false);
  });

  it("counts entries EventBridge refused in a 200 answer as lost", async () => {
    const client = new EventBridgeClient({ region: "us-east-1" });
    sinon.stub(client, "send").resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: "a" }, { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }],
    });
    await assert.rejects(
      eventBridgeSink(client, undefined).publish(events(2)),
      (e: unknown) => e instanceof EventPublishError && e.lost === 1 && /Throttling/.test(String(e.cause)),
    );
  });

  it("counts a whole call that failed as lost and still sends the other calls", async () => {
    const client = new EventBridgeClient({ region: "us-east-1" });
    const send = sinon.stub(client, "send");
    send.onFirstCall().rejects(new Error("AccessDenied"));
    send.onSecondCall().resolves({ FailedEntryCount: 0, Entries: [] });
    await assert.rejects(
      eventBridgeSink(client, undefined).publish(events(11)),
      (e: unknown) => e instanceof EventPublishError && e.lost === 10,
    );
    assert.equal(send.callCount, 2);
  });
});

describe("handlers/shared/events: the HTTP sink", () => {
  const event: VerdictEvent = {
    source: EVENT_SOURCE,
    detailType: EventDetailType.Scanned,
    detail: {
      bucket: "uploads",
      key: "k",
      eTag: "e",
      size: 1,
      verdict: "clean",
      blocked: false,
      definitionsVersion: "d1",
      scannedAt: "2026-11-26T16:00:00.000Z",
      actions: [],
    },
  };

  async function endpoint(
    answer: (res: import("node:http").ServerResponse) => void,
  ): Promise<[Server, string]> {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => answer(res));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`];
  }

  it("counts an event the endpoint refuses as lost", async () => {
    const [server, url] = await endpoint((res) => res.writeHead(500).end());
    try {
      await assert.rejects(
        httpSink(url).publish([event, event]),
        (e: unknown) => e instanceof EventPublishError && e.lost === 2 && /HTTP 500/.test(String(e.cause)),
      );
    } finally {
      server.close();
    }
  });

  it("gives up on an endpoint that never answers instead of holding the scan", async function () {
    this.timeout(30_000);
    const [server, url] = await endpoint(() => {});
    try {
      await assert.rejects(
        httpSink(url).publish([event]),
        (e: unknown) => e instanceof EventPublishError && e.lost === 1,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
