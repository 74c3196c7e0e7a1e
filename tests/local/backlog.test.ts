import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { parseBatchOperationsEvent } from "../../core/batch-operations";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { BacklogRunner, type RunRecord, RunStates } from "../../local/backlog";
import { manifestLine, reportLine } from "../../local/backlog-report";
import type { FunctionPool } from "../../local/lambda/pool";
import type { Logger } from "../../local/log";

// The batch runner's bookkeeping (resume, retries, one run per bucket and kind) with a stand-in for
// the scanner's environments; the real scanner and store run in cli-rescan.test.ts and protect.test.ts.
const log: Logger = { info() {}, warn() {}, error() {}, close: async () => {} };

/** Answers each task from `answer(key, attempt)`; records the keys it was invoked for. */
function stubPool(answer: (key: string, attempt: number) => string | Error, gate?: Promise<void>) {
  const invoked: string[] = [];
  const attempts = new Map<string, number>();
  const pool = {
    available: 2,
    async invoke(event: unknown) {
      await gate;
      const inv = parseBatchOperationsEvent(event);
      const task = inv.tasks[0];
      const key = task.object?.key ?? "";
      invoked.push(key);
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      const a = answer(key, n);
      if (a instanceof Error)
        return {
          requestId: "r",
          environmentId: "e",
          coldStart: false,
          durationMs: 1,
          error: { errorType: a.name, errorMessage: a.message },
        };
      const [resultCode, resultString] = a.split("|");
      return {
        requestId: "r",
        environmentId: "e",
        coldStart: false,
        durationMs: 1,
        response: {
          invocationSchemaVersion: "2.0",
          invocationId: inv.invocationId,
          treatMissingKeysAs: "PermanentFailure",
          results: [{ taskId: task.taskId, resultCode, resultString }],
        },
      };
    },
  };
  return { pool: pool as unknown as FunctionPool, invoked };
}

function runner(runsDir: string, pool: FunctionPool) {
  return new BacklogRunner({
    runsDir,
    pool: async () => pool,
    lister: {} as S3Client,
    tagReader: {} as S3Client,
    tags: DEFAULT_TAG_SCHEMA,
    log,
    retryBaseMs: 1,
  });
}

/** A run left Active by a runner that stopped: its manifest, and a report holding the first `done` entries. */
function leftOver(runsDir: string, keys: string[], done: number): RunRecord {
  const record: RunRecord = {
    id: "20260101T000000-scan-existing-aaaaaaaa",
    request: { kind: "scan-existing", bucket: "photos" },
    createdAt: new Date().toISOString(),
    state: RunStates.Active,
    total: keys.length,
  };
  const dir = join(runsDir, record.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run.json"), JSON.stringify(record));
  const entries = keys.map((key) => ({ bucket: "photos", key, versionId: "v1" }));
  writeFileSync(join(dir, "manifest.csv"), entries.map((e) => `${manifestLine(e)}\n`).join(""));
  writeFileSync(
    join(dir, "report.csv"),
    entries
      .slice(0, done)
      .map((e) => `${reportLine(e, { resultCode: "Succeeded", resultString: "clean" })}\n`)
      .join(""),
  );
  return record;
}

describe("local/backlog: the batch runner's runs", () => {
  let runsDir: string;
  beforeEach(() => {
    runsDir = mkdtempSync(join(tmpdir(), "bw-runs-"));
  });

  it("resumes an unfinished run where its report stopped, and counts both parts in the summary", async () => {
    const keys = ["a", "b", "c", "d", "e"];
    const record = leftOver(runsDir, keys, 2);
    const { pool, invoked } = stubPool((key) => (key === "e" ? "Succeeded|infected:X" : "Succeeded|clean"));
    const r = runner(runsDir, pool);
    assert.deepEqual(r.resumeUnfinished(), [record.id]);
    await r.settled(record.id);
    assert.deepEqual(invoked.sort(), ["c", "d", "e"]);
    const view = r.view(record.id);
    assert.equal(view?.progress.status, RunStates.Complete);
    assert.deepEqual(
      { ...view?.summary, report: undefined },
      { scanned: 5, clean: 4, infected: 1, unscannable: 0, failed: 0, alreadyScanned: 0, report: undefined },
    );
    assert.equal(
      readFileSync(join(runsDir, record.id, "report.csv"), "utf8")
        .trim()
        .split("\n").length,
      5,
    );
  });

  it("returns the unfinished run for the same bucket and kind instead of starting a second one", async () => {
    const record = leftOver(runsDir, ["a", "b"], 0);
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { pool } = stubPool(() => "Succeeded|clean", gate);
    const r = runner(runsDir, pool);
    r.resumeUnfinished();
    const job = r.start({ kind: "scan-existing", bucket: "photos" });
    assert.deepEqual(job, { id: record.id, request: record.request, resumed: true });
    assert.equal(r.unfinished("photos").length, 1);
    open();
    await r.settled(record.id);
    assert.equal(r.unfinished("photos").length, 0);
  });

  it("retries a temporary failure and an invocation that failed, then reports the task failed", async () => {
    const record = leftOver(runsDir, ["flaky", "broken", "crash"], 0);
    const { pool, invoked } = stubPool((key, attempt) => {
      if (key === "flaky") return attempt < 3 ? "TemporaryFailure|failed:SlowDown" : "Succeeded|clean";
      if (key === "crash") return new Error("Runtime.ExitError");
      return "TemporaryFailure|failed:SlowDown";
    });
    const r = runner(runsDir, pool);
    r.resumeUnfinished();
    await r.settled(record.id);
    assert.equal(invoked.filter((k) => k === "flaky").length, 3);
    assert.equal(invoked.filter((k) => k === "broken").length, 3);
    const s = r.view(record.id)?.summary;
    assert.equal(s?.scanned, 1);
    assert.equal(s?.failed, 2);
    assert.match(
      readFileSync(join(runsDir, record.id, "report.csv"), "utf8"),
      /crash,v1,failed,TemporaryFailure,failed:Error: Runtime\.ExitError/,
    );
  });

  it("answers a permanent failure at once, without retrying", async () => {
    const record = leftOver(runsDir, ["gone"], 0);
    const { pool, invoked } = stubPool(() => "PermanentFailure|skipped:deleted");
    const r = runner(runsDir, pool);
    r.resumeUnfinished();
    await r.settled(record.id);
    assert.deepEqual(invoked, ["gone"]);
    assert.equal(r.view(record.id)?.summary?.failed, 1);
  });

  it("leaves a run it was stopped in unfinished on disk, for the next runner", async () => {
    const record = leftOver(runsDir, ["a", "b", "c", "d", "e", "f"], 0);
    let calls = 0;
    let first = true;
    let r: BacklogRunner | undefined;
    const { pool } = stubPool(() => {
      calls++;
      if (first && calls === 2) {
        first = false;
        void r?.stop();
      }
      return "Succeeded|clean";
    });
    r = runner(runsDir, pool);
    r.resumeUnfinished();
    await r.settled(record.id);
    const saved = JSON.parse(readFileSync(join(runsDir, record.id, "run.json"), "utf8")) as RunRecord;
    assert.equal(saved.state, RunStates.Active);
    const next = runner(runsDir, stubPool(() => "Succeeded|clean").pool);
    next.resumeUnfinished();
    await next.settled(record.id);
    assert.equal(next.view(record.id)?.summary?.scanned, 6);
  });
});
