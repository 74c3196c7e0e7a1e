import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { batchItemFailures, Dispatcher, type Settlement } from "../../local/dispatcher";
import type { Invocation } from "../../local/lambda/function";
import { DurableQueue } from "../../local/queue";
import { retryDelay } from "../../local/retry";

type Respond = (event: SQSEvent) => Partial<Invocation>;

/** A scanner standing in for the function pool: answers each invocation with `respond`. */
function fakeScanner(respond: Respond, concurrency = 1) {
  const events: SQSEvent[] = [];
  let busy = 0;
  return {
    events,
    get available() {
      return concurrency - busy;
    },
    async invoke(event: unknown): Promise<Invocation> {
      busy++;
      events.push(event as SQSEvent);
      await new Promise((r) => setImmediate(r));
      busy--;
      return {
        requestId: "req",
        environmentId: "env",
        coldStart: false,
        durationMs: 1,
        ...respond(event as SQSEvent),
      };
    },
  };
}

const keyOf = (event: SQSEvent, i: number) =>
  JSON.parse(event.Records[i].body).Records[0].s3.object.key as string;

describe("the dispatcher between the queue and the scanner", () => {
  let dir: string;
  let queue: DurableQueue;
  let settled: Settlement[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bw-dispatch-"));
    queue = new DurableQueue(join(dir, "q"));
    settled = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function dispatcher(respond: Respond, opts: { maxAttempts?: number; batchSize?: number } = {}) {
    const scanner = fakeScanner(respond);
    const d = new Dispatcher({
      queue,
      scanner,
      batchSize: opts.batchSize ?? 10,
      retry: { maxAttempts: opts.maxAttempts ?? 3, baseMs: 1, maxMs: 2 },
      region: "us-east-1",
      settled: (s) => settled.push(s),
      retrying: () => {},
    });
    return { d, scanner };
  }

  function enqueue(...keys: string[]) {
    queue.add(
      keys.map((key) => ({
        object: { bucket: "b", key },
        record: {
          eventSource: "ceph:s3",
          eventName: "ObjectCreated:Put",
          s3: { bucket: { name: "b" }, object: { key } },
        },
        source: "notification" as const,
      })),
    );
  }

  async function drain(d: Dispatcher) {
    const deadline = Date.now() + 5000;
    d.pump();
    while (queue.size > 0 || d.inFlight > 0) {
      if (Date.now() > deadline) assert.fail("the queue did not drain");
      await new Promise((r) => setTimeout(r, 5));
    }
    await d.stop();
  }

  it("invokes the scanner with SQS messages whose bodies are the S3 records", async () => {
    const { d, scanner } = dispatcher(() => ({ response: { batchItemFailures: [] } }));
    enqueue("a b+c%d.txt", "x");
    await drain(d);
    const [event] = scanner.events;
    assert.equal(event.Records.length, 2);
    assert.equal(event.Records[0].eventSource, "aws:sqs");
    assert.equal(event.Records[0].attributes.ApproximateReceiveCount, "1");
    assert.equal(keyOf(event, 0), "a b+c%d.txt");
    assert.deepEqual(
      settled.map((s) => s.kind),
      ["done", "done"],
    );
  });

  it("retries only the messages the scanner reports in batchItemFailures", async () => {
    let calls = 0;
    const { d, scanner } = dispatcher((event) =>
      calls++ === 0
        ? { response: { batchItemFailures: [{ itemIdentifier: event.Records[1].messageId }] } }
        : { response: null },
    );
    enqueue("ok", "flaky");
    await drain(d);
    assert.equal(scanner.events.length, 2);
    assert.equal(keyOf(scanner.events[1], 0), "flaky");
    assert.equal(scanner.events[1].Records[0].attributes.ApproximateReceiveCount, "2");
    assert.deepEqual(settled.map((s) => [s.item.object.key, s.kind]).sort(), [
      ["flaky", "done"],
      ["ok", "done"],
    ]);
  });

  it("retries every message of a failed invocation, one at a time, to find the one to blame", async () => {
    const { d, scanner } = dispatcher((event) =>
      event.Records.some((_, i) => keyOf(event, i) === "poison")
        ? { error: { errorType: "Runtime.ExitError", errorMessage: "signal: SIGKILL" } }
        : { response: {} },
    );
    enqueue("a", "poison", "b");
    await drain(d);
    assert.deepEqual(
      scanner.events.slice(1).map((e) => e.Records.length),
      Array(scanner.events.length - 1).fill(1),
    );
    const byKey = Object.fromEntries(settled.map((s) => [s.item.object.key, s]));
    assert.equal(byKey.a.kind, "done");
    assert.equal(byKey.b.kind, "done");
    assert.equal(byKey.poison.kind, "dead-letter");
  });

  it("gives up on a message after its last attempt, with the error that ended it", async () => {
    const { d, scanner } = dispatcher(
      () => ({ error: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out" } }),
      {
        maxAttempts: 3,
      },
    );
    enqueue("slow");
    await drain(d);
    assert.equal(scanner.events.length, 3);
    const [s] = settled;
    assert.equal(s.kind, "dead-letter");
    assert.equal(s.item.attempts, 3);
    assert.equal(s.kind === "dead-letter" && s.error, "Sandbox.Timedout: Task timed out");
  });

  it("fails the whole batch when the response names a message it was not sent", async () => {
    let calls = 0;
    const { d } = dispatcher(() =>
      calls++ === 0
        ? { response: { batchItemFailures: [{ itemIdentifier: "not-ours" }] } }
        : { response: {} },
    );
    enqueue("a");
    await drain(d);
    assert.equal(settled[0].item.attempts, 1);
  });
});

describe("reading a scanner's batch response", () => {
  const cases: Array<[string, unknown, string[] | "invalid"]> = [
    ["null: all succeeded", null, []],
    ["no batchItemFailures: all succeeded", { results: [] }, []],
    ["an empty list: all succeeded", { batchItemFailures: [] }, []],
    ["the listed ids failed", { batchItemFailures: [{ itemIdentifier: "m1" }] }, ["m1"]],
    ["a string response", "ok", "invalid"],
    ["a list with an empty id", { batchItemFailures: [{ itemIdentifier: "" }] }, "invalid"],
    ["a list that is not one", { batchItemFailures: "m1" }, "invalid"],
  ];
  for (const [name, response, expected] of cases) {
    it(`reads ${name}`, () => {
      const got = batchItemFailures(response);
      assert.deepEqual(got === "invalid" ? got : [...got], expected);
    });
  }
});

describe("the retry delay", () => {
  const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 5000 };
  const cases: Array<[number, number, number | undefined]> = [
    [1, 1, 1000],
    [2, 1, 2000],
    [3, 1, 4000],
    [4, 1, 5000],
    [1, 0, 500],
    [5, 1, undefined],
  ];
  for (const [failed, random, expected] of cases) {
    it(`after ${failed} failed attempt(s) with jitter ${random} is ${expected ?? "none: give up"}`, () => {
      assert.equal(
        retryDelay(failed, policy, () => random),
        expected,
      );
    });
  }
});
