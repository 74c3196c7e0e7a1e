import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FunctionPool } from "../../local/lambda/pool";
import { fakeFunction } from "./support/fake-function";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("local Lambda runtime", function () {
  this.timeout(30_000);
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function pool(opts: Parameters<typeof fakeFunction>[0] = {}, concurrency = 2) {
    const { fn, dir } = fakeFunction(opts);
    const log: string[] = [];
    const p = new FunctionPool(fn, { concurrency, tmpRoot: join(dir, "env"), log: (l) => log.push(l) });
    cleanups.push(
      () => p.shutdown(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    return { pool: p, log, dir };
  }

  it("loads the bundle once per environment and reuses it warm", async () => {
    const { pool: p } = pool({}, 1);
    const first = await p.invoke({ action: "echo" });
    const second = await p.invoke({ action: "echo" });
    const [a, b] = [first.response, second.response] as Array<{
      count: number;
      pid: number;
      initializedAt: number;
    }>;
    assert.equal(first.coldStart, true);
    assert.equal(second.coldStart, false);
    assert.equal(b.pid, a.pid);
    assert.equal(b.initializedAt, a.initializedAt);
    assert.equal(b.count, 2);
  });

  it("gives the handler the function's environment and Lambda's variables, none of the runner's own", async () => {
    process.env.BW_RUNNER_ONLY_SECRET = "must-not-leak";
    cleanups.push(() => {
      delete process.env.BW_RUNNER_ONLY_SECRET;
    });
    const { pool: p } = pool();
    const r = (await p.invoke({ action: "echo" })).response as {
      env: Record<string, string>;
      tmp: string;
      functionName: string;
      arn: string;
    };
    assert.equal(r.env.FAKE_SETTING, "on");
    assert.equal(r.env.WORK, `${r.tmp}/work`);
    assert.equal(r.env.AWS_ACCESS_KEY_ID, "AKFAKE");
    assert.equal(r.env.AWS_REGION, "us-east-1");
    assert.equal(r.env.AWS_LAMBDA_FUNCTION_NAME, "fake-fn");
    assert.equal(r.env._HANDLER, "index.handler");
    assert.equal(r.env.BW_RUNNER_ONLY_SECRET, undefined);
    assert.equal(r.functionName, "fake-fn");
    assert.match(r.arn, /^arn:aws:lambda:us-east-1:\d{12}:function:fake-fn$/);
  });

  it("gives each environment a /tmp of its own and removes it when the environment ends", async () => {
    const { pool: p } = pool({}, 2);
    const [a, b] = await Promise.all([p.invoke({ action: "sleep", ms: 300 }), p.invoke({ action: "echo" })]);
    assert.notEqual(a.environmentId, b.environmentId);
    const tmps = await Promise.all(
      [0, 1].map(async () => ((await p.invoke({ action: "echo" })).response as { tmp: string }).tmp),
    );
    for (const t of tmps) assert.ok(existsSync(t), `${t} exists while its environment lives`);
    await p.shutdown();
    for (const t of tmps) assert.ok(!existsSync(t), `${t} is removed with its environment`);
  });

  it("counts the remaining time down from the function's timeout", async () => {
    const { pool: p } = pool({ timeoutMs: 5000 });
    const r = (await p.invoke({ action: "echo" })).response as { remaining: number };
    assert.ok(r.remaining <= 5000 && r.remaining > 4000, `remaining ${r.remaining}`);
  });

  it("returns what the handler returns as JSON would carry it", async () => {
    const { pool: p } = pool();
    assert.deepEqual((await p.invoke({ action: "date" })).response, { when: "1970-01-01T00:00:00.000Z" });
    assert.equal((await p.invoke({ action: "nothing" })).response, null);
  });

  it("reports a handler's error by its name and keeps the environment warm", async () => {
    const { pool: p } = pool({}, 1);
    const failed = await p.invoke({ action: "throw" });
    assert.equal(failed.error?.errorType, "TypeError");
    assert.equal(failed.error?.errorMessage, "bad input");
    const next = await p.invoke({ action: "echo" });
    assert.equal(next.environmentId, failed.environmentId);
  });

  it("ends an environment that times out, with the processes it started, and replaces it", async () => {
    const { pool: p, dir, log } = pool({ timeoutMs: 1500 }, 1);
    const pidFile = join(dir, "child.pid");
    const timedOut = await p.invoke({ action: "spawn-and-hang", pidFile });
    assert.equal(timedOut.error?.errorType, "Sandbox.Timedout");
    assert.match(timedOut.error?.errorMessage ?? "", /Task timed out after 1\.50 seconds/);
    const child = Number(readFileSync(pidFile, "utf8"));
    await waitUntil("the handler's child to end", () => !alive(child));
    const next = await p.invoke({ action: "echo" });
    assert.equal(next.coldStart, true);
    assert.notEqual(next.environmentId, timedOut.environmentId);
    assert.ok(log.some((l) => l.startsWith(`REPORT RequestId: ${next.requestId}`)));
  });

  it("fails the invocation when the runtime exits or an exception escapes, then starts afresh", async () => {
    const { pool: p } = pool({}, 1);
    const exited = await p.invoke({ action: "exit" });
    assert.equal(exited.error?.errorType, "Runtime.ExitError");
    assert.match(exited.error?.errorMessage ?? "", /exit code 3/);
    const uncaught = await p.invoke({ action: "uncaught" });
    assert.equal(uncaught.error?.errorType, "Runtime.UncaughtException");
    const next = await p.invoke({ action: "echo" });
    assert.equal(next.coldStart, true);
  });

  it("fails an environment killed from outside mid-invocation, and the next invocation gets a new one", async () => {
    const { pool: p } = pool({}, 1);
    const running = p.invoke({ action: "sleep", ms: 10_000 });
    await waitUntil("the environment to be busy", () => p.status().some((e) => e.state === "busy"));
    const [env] = p.status();
    process.kill(env.pid as number, "SIGKILL");
    const killed = await running;
    assert.equal(killed.error?.errorType, "Runtime.ExitError");
    assert.match(killed.error?.errorMessage ?? "", /SIGKILL/);
    const next = await p.invoke({ action: "echo" });
    assert.notEqual(next.environmentId, env.id);
  });

  it("fails an invocation handed to an environment that died a moment before, and the runner stays up", async () => {
    const { pool: p } = pool({}, 1);
    const warm = await p.invoke({ action: "echo" });
    const pid = (warm.response as { pid: number }).pid;
    process.kill(pid, "SIGKILL");
    // Spin without yielding, so the runner has not yet seen the exit: the pool still calls the
    // environment idle and the invocation's message meets a closed channel (EPIPE).
    const dead = () => {
      try {
        return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] === "Z";
      } catch {
        return true;
      }
    };
    while (!dead()) {}
    const lost = await p.invoke({ action: "echo" });
    assert.equal(lost.error?.errorType, "Runtime.ExitError");
    const next = await p.invoke({ action: "echo" });
    assert.equal(next.error, undefined);
    assert.notEqual((next.response as { pid: number }).pid, pid);
  });

  it("reports a bundle that cannot load as an init error", async () => {
    const { pool: p } = pool({ brokenInit: true }, 1);
    const r = await p.invoke({ action: "echo" });
    assert.equal(r.error?.errorType, "RangeError");
    assert.match(r.error?.errorMessage ?? "", /cannot load/);
    await assert.rejects(p.provision(), /fake-fn failed to initialise: RangeError/);
  });

  it("runs at most `concurrency` invocations at once", async () => {
    const { pool: p } = pool({}, 2);
    await p.provision();
    assert.equal(p.available, 2);
    const runs = [p.invoke({ action: "sleep", ms: 300 }), p.invoke({ action: "sleep", ms: 300 })];
    assert.equal(p.available, 0);
    await assert.rejects(p.invoke({ action: "echo" }), /no capacity/);
    const done = await Promise.all(runs);
    assert.ok(
      done.every((d) => !d.error && !d.coldStart),
      "both ran warm on provisioned environments",
    );
    assert.equal(p.available, 2);
    assert.equal(p.status().length, 2);
  });
});
