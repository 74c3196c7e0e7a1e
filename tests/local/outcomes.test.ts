import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { jsonLogger, lineWriter } from "../../local/log";
import { type DeadLetter, Outcomes, type VerdictLine } from "../../local/outcomes";
import type { QueueItem } from "../../local/queue";

const item = (key: string, attempts = 0): QueueItem => ({
  id: `id-${key}`,
  record: { s3: { object: { key } } },
  object: { bucket: "uploads", key, versionId: "v1" },
  source: "notification",
  enqueuedAt: Date.now() - 1500,
  attempts,
  notBefore: 0,
});

/** A tag reader standing in for the scanner's S3 client: answers every GetObjectTagging with `tags`. */
const tagReader = (tags: Record<string, string>) =>
  ({
    send: async () => ({ TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  }) as unknown as S3Client;

describe("recording how each object ended", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bw-outcomes-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function record(tags: Record<string, string>, settle: (o: Outcomes) => Promise<unknown>) {
    const verdicts = lineWriter(join(dir, "verdicts.log"));
    const log = jsonLogger(join(dir, "runner.log"));
    const outcomes = new Outcomes({
      verdicts,
      deadLetterFile: join(dir, "dead-letter.jsonl"),
      tagReader: tagReader(tags),
      tags: DEFAULT_TAG_SCHEMA,
      log,
    });
    const verdict = await settle(outcomes);
    await verdicts.close();
    await log.close();
    const lines = readFileSync(join(dir, "verdicts.log"), "utf8").trim().split("\n");
    return { verdict, outcomes, lines: lines.map((l) => JSON.parse(l) as VerdictLine) };
  }

  it("writes one verdict line with the scanner's tags read back", async () => {
    const { verdict, lines } = await record(
      { Infected: "true", ScanResult: "infected:Bucketwarden.TEST.EICAR.UNOFFICIAL" },
      (o) =>
        o.record({
          kind: "done",
          item: item("eicar.com"),
          invocation: { requestId: "r", environmentId: "e", coldStart: false, durationMs: 3 },
        }),
    );
    assert.equal(verdict, "infected");
    assert.equal(lines.length, 1);
    assert.equal(lines[0].key, "eicar.com");
    assert.equal(lines[0].verdict, "infected");
    assert.equal(lines[0].result, "infected:Bucketwarden.TEST.EICAR.UNOFFICIAL");
    assert.equal(lines[0].attempts, 1);
    assert.ok(lines[0].latencyMs >= 1500);
  });

  it("gives an object that ran out of attempts an explicit error status and a dead-letter entry", async () => {
    const { verdict, lines, outcomes } = await record({}, (o) =>
      o.record({
        kind: "dead-letter",
        item: item("stuck.bin", 5),
        error: "Sandbox.Timedout: Task timed out",
      }),
    );
    assert.equal(verdict, "error");
    assert.equal(lines[0].verdict, "error");
    assert.equal(lines[0].error, "Sandbox.Timedout: Task timed out");
    const [dead] = readFileSync(join(dir, "dead-letter.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as DeadLetter);
    assert.equal(dead.key, "stuck.bin");
    assert.equal(dead.versionId, "v1");
    assert.equal(dead.attempts, 5);
    assert.deepEqual(dead.record, { s3: { object: { key: "stuck.bin" } } });
    assert.equal(outcomes.deadLettered, 1);
  });

  it("says so when the scanner succeeded but left no verdict", async () => {
    const { verdict } = await record({ Owner: "me" }, (o) =>
      o.record({
        kind: "done",
        item: item("deleted-meanwhile"),
        invocation: { requestId: "r", environmentId: "e", coldStart: false, durationMs: 3 },
      }),
    );
    assert.equal(verdict, "none");
  });
});
