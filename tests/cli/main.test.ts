import assert from "node:assert/strict";
import type { Backend, BacklogJob, BacklogProgress, BacklogRequest } from "../../cli/backend";
import { BackendUnavailableError } from "../../cli/errors";
import type { LocalBackend } from "../../cli/local-commands";
import { type Backends, type Io, run } from "../../cli/main";

interface Captured extends Io {
  stdout: string[];
  stderr: string[];
  raw: string[];
}

function io(isTTY = false): Captured {
  let t = 0;
  const c: Captured = {
    stdout: [],
    stderr: [],
    raw: [],
    out: (s) => c.stdout.push(s),
    err: (s) => c.stderr.push(s),
    write: (s) => c.raw.push(s),
    isTTY,
    columns: 100,
    // Each reading of the clock is 10 s later, so every progress report is printed.
    now: () => (t += 10_000),
  };
  return c;
}

/** A backend whose run reports the given progress, then ends (or waits for the abort). */
function fakeBackend(steps: BacklogProgress[], opts: { hang?: boolean; resumed?: boolean } = {}) {
  const started: BacklogRequest[] = [];
  const backend: LocalBackend = {
    async start(request): Promise<BacklogJob> {
      started.push(request);
      return { id: "run-1", request, resumed: opts.resumed ?? false };
    },
    async follow(_job, onProgress, signal) {
      for (const p of steps) onProgress(p);
      if (opts.hang)
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      return {
        scanned: 3,
        clean: 2,
        infected: 1,
        unscannable: 0,
        failed: 0,
        alreadyScanned: 0,
        report: "report.csv",
      };
    },
    async status(bucket) {
      return { bucket, counts: { clean: 1, none: 2 }, definitionsVersion: "v9", backlog: [] };
    },
    async protect(bucket) {
      return {
        bucket,
        steps: ["1/4 granted"],
        job: { id: "run-2", request: { kind: "scan-existing", bucket }, resumed: false },
      };
    },
    async update() {
      return { status: "published", previousVersion: "a", version: "b", signaturesAdded: 0, rescans: [] };
    },
  };
  const backends: Backends = {
    local: async () => backend,
    aws: async (): Promise<Backend> => {
      throw new BackendUnavailableError("the AWS backend is not available in this checkout");
    },
  };
  return { backends, started };
}

const steps: BacklogProgress[] = [
  { total: undefined, processed: 0, failed: 0, status: "Preparing" },
  { total: 3, processed: 1, failed: 0, status: "Active" },
  { total: 3, processed: 3, failed: 0, status: "Complete" },
];

describe("cli/main: the bucketwarden command", () => {
  it("prints the usage for --help and exits 0", async () => {
    const c = io();
    assert.equal(await run(["--help"], c, fakeBackend([]).backends, new AbortController().signal), 0);
    assert.match(c.stdout.join("\n"), /^Usage: bucketwarden <command>/);
  });

  it("exits 2 with the reason and a pointer to --help on bad input", async () => {
    const c = io();
    assert.equal(
      await run(
        ["rescan", "photos", "--since", "soon"],
        c,
        fakeBackend([]).backends,
        new AbortController().signal,
      ),
      2,
    );
    assert.match(c.stderr.join("\n"), /--since "soon" is not a duration[\s\S]*--help/);
  });

  it("says the AWS backend is missing rather than failing obscurely", async () => {
    const c = io();
    assert.equal(
      await run(["status", "photos"], c, fakeBackend([]).backends, new AbortController().signal),
      1,
    );
    assert.match(c.stderr.join("\n"), /AWS backend is not available/);
  });

  it("starts a rescan with its window and prints plain progress lines and the summary off a terminal", async () => {
    const c = io(false);
    const fake = fakeBackend(steps);
    assert.equal(
      await run(
        ["rescan", "--local", "photos", "--since", "2h"],
        c,
        fake.backends,
        new AbortController().signal,
      ),
      0,
    );
    assert.deepEqual(fake.started, [{ kind: "rescan", bucket: "photos", sinceMs: 7_200_000 }]);
    const out = c.stdout.join("\n");
    assert.match(out, /^Started the rescan of photos \(run run-1\)\.$/m);
    assert.match(out, /^progress: 1\/3 \(33%\)/m);
    assert.match(out, /^ {2}infected: {4}1$/m);
    assert.match(out, /^ {2}report: {6}report\.csv$/m);
    assert.deepEqual(c.raw, [], "no terminal control characters off a terminal");
  });

  it("redraws one bar in place on a terminal", async () => {
    const c = io(true);
    await run(
      ["scan-existing", "--local", "photos"],
      c,
      fakeBackend(steps).backends,
      new AbortController().signal,
    );
    assert.ok(c.raw.length >= 2);
    assert.ok(c.raw.slice(0, -1).every((s) => s.startsWith("\r[")));
    assert.ok(!c.stdout.some((s) => s.startsWith("progress:")));
  });

  it("says a resumed run is being followed again", async () => {
    const c = io();
    await run(
      ["scan-existing", "--local", "photos"],
      c,
      fakeBackend(steps, { resumed: true }).backends,
      new AbortController().signal,
    );
    assert.match(c.stdout[0], /unfinished backlog scan of photos \(run run-1\), resumed/);
  });

  it("stops following on Ctrl-C, says the run goes on and how to follow it again", async () => {
    const c = io();
    const controller = new AbortController();
    const done = run(
      ["scan-existing", "--local", "photos"],
      c,
      fakeBackend(steps, { hang: true }).backends,
      controller.signal,
    );
    setTimeout(() => controller.abort(), 20);
    assert.equal(await done, 130);
    assert.match(
      c.stdout.join("\n"),
      /Stopped following run run-1; the run goes on\. Run `npx bucketwarden scan-existing --local photos` again/,
    );
  });

  it("prints the steps of protect and follows its backlog scan", async () => {
    const c = io();
    assert.equal(
      await run(
        ["protect", "--local", "photos"],
        c,
        fakeBackend(steps).backends,
        new AbortController().signal,
      ),
      0,
    );
    assert.match(c.stdout.join("\n"), /1\/4 granted[\s\S]*run run-2/);
  });

  it("says rescans are off when signatures were added and none started", async () => {
    const c = io();
    const { backends } = fakeBackend(steps);
    const local = await backends.local();
    local.update = async () => ({ status: "published", version: "b", signaturesAdded: 3, rescans: [] });
    assert.equal(
      await run(
        ["update", "--local"],
        c,
        { ...backends, local: async () => local },
        new AbortController().signal,
      ),
      0,
    );
    assert.match(c.stdout.join("\n"), /No rescan started: automatic rescans are off/);
  });

  it("reports what update did and that no rescan was needed", async () => {
    const c = io();
    assert.equal(
      await run(["update", "--local"], c, fakeBackend(steps).backends, new AbortController().signal),
      0,
    );
    assert.match(c.stdout.join("\n"), /definitions a -> b; 0 signature\(s\) added\.\nNo rescan needed\./);
  });
});
