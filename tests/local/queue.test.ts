import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DurableQueue } from "../../local/queue";

const object = (key: string, versionId = "v1") => ({ bucket: "uploads", key, versionId });
const entry = (key: string, versionId?: string) => ({
  record: { s3: { object: { key } } },
  object: object(key, versionId),
  source: "notification" as const,
});

describe("the runner's durable queue", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bw-queue-"));
    file = join(dir, "queue.journal");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps what was added across a reopen, as a new runner after a crash would find it", () => {
    const q = new DurableQueue(file);
    q.add([entry("a"), entry("b")], 1000);
    q.take(10, 1000); // in flight when the runner died: handed out again
    const [a] = q.items();
    q.remove([a.id]);
    // No close(): a crashed runner never gets to close its journal.
    const reopened = new DurableQueue(file);
    assert.deepEqual(
      reopened.items().map((i) => i.object.key),
      ["b"],
    );
    assert.equal(reopened.take(10, 1000).length, 1);
  });

  it("adds an object already waiting only once, so a redelivered notification does not scan twice", () => {
    const q = new DurableQueue(file);
    assert.equal(q.add([entry("a")]).length, 1);
    assert.equal(q.add([entry("a"), entry("a", "v2")]).length, 1);
    assert.equal(q.size, 2);
  });

  it("hands out due items oldest first, in batches, and never the same item twice at once", () => {
    const q = new DurableQueue(file);
    q.add([entry("a"), entry("b"), entry("c")], 1000);
    assert.deepEqual(
      q.take(2, 1000).map((i) => i.object.key),
      ["a", "b"],
    );
    assert.deepEqual(
      q.take(2, 1000).map((i) => i.object.key),
      ["c"],
    );
    assert.equal(q.take(2, 1000).length, 0);
  });

  it("holds a retried item back until its time and counts the attempt, surviving a reopen", () => {
    const q = new DurableQueue(file);
    q.add([entry("a")], 1000);
    const [a] = q.take(1, 1000);
    q.retry(a.id, 5000, "engine crashed", false);
    assert.equal(q.take(1, 4999).length, 0);
    assert.equal(q.nextDueAt(), 5000);
    const [again] = new DurableQueue(file).take(1, 5000);
    assert.equal(again.attempts, 1);
    assert.equal(again.lastError, "engine crashed");
  });

  it("hands out an item marked to retry alone in a batch of its own", () => {
    const q = new DurableQueue(file);
    q.add([entry("a"), entry("b"), entry("c")], 1000);
    const batch = q.take(3, 1000);
    for (const i of batch) q.retry(i.id, 1000, "batch failed", i.object.key === "b");
    assert.deepEqual(
      q.take(3, 1000).map((i) => i.object.key),
      ["b"],
    );
    assert.deepEqual(
      q.take(3, 1000).map((i) => i.object.key),
      ["a", "c"],
    );
  });

  it("ignores a last line cut short by a crash mid-write", () => {
    const q = new DurableQueue(file);
    q.add([entry("a")]);
    appendFileSync(file, '{"op":"add","item":{"id":"x');
    assert.equal(new DurableQueue(file).size, 1);
  });

  it("refuses a journal corrupt in the middle instead of silently dropping work", () => {
    const q = new DurableQueue(file);
    q.add([entry("a")]);
    appendFileSync(file, "garbage\n");
    q.add([entry("b")]);
    assert.throws(() => new DurableQueue(file), /corrupt at line 2/);
  });

  it("compacts the journal to the pending items when it opens", () => {
    const q = new DurableQueue(file);
    q.add([entry("a"), entry("b")]);
    q.remove([q.items()[0].id]);
    new DurableQueue(file);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]).item.object.key, "b");
  });
});
