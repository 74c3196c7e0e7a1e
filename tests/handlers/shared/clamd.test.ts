import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Clamd, clamdSocketPath } from "../../../handlers/shared/clamd";
import { scratchDir } from "../support/handlers";
import { EICAR, eicarNdb } from "../support/signatures";
import { testTools } from "../support/tools";

async function* chunks(...parts: Buffer[]) {
  for (const p of parts) yield p;
}

describe("handlers/shared/clamd: the resident engine", function () {
  this.timeout(120_000);

  describe("clamdSocketPath", () => {
    it("keeps the socket inside a work folder whose path fits a unix socket", () =>
      assert.equal(clamdSocketPath("/tmp/bucketwarden/scanner"), "/tmp/bucketwarden/scanner/clamd.sock"));

    it("moves the socket under /tmp when the work folder is too deep for one", () => {
      const deep = `/home/someone/work/${"org/".repeat(30)}bucketwarden/.local/e2e/env/scanner`;
      const socket = clamdSocketPath(deep);
      assert.ok(Buffer.byteLength(socket) <= 100, socket);
      assert.match(socket, /^\/tmp\/bw-clamd-[0-9a-f]{16}\/clamd\.sock$/);
      assert.equal(clamdSocketPath(deep), socket, "the same folder gets the same socket");
      assert.notEqual(clamdSocketPath(`${deep}2`), socket, "another folder gets another socket");
    });
  });

  function databaseDir(): string {
    const dir = join(scratchDir("db"), "db");
    mkdirSync(dir);
    writeFileSync(join(dir, "test.ndb"), eicarNdb());
    return dir;
  }

  /** clamd from the scanner layer on a database that catches EICAR, its files in `workDir`. */
  function engineIn(workDir: string): Clamd {
    return new Clamd({
      tools: testTools("scanner"),
      workDir,
      databaseDir: databaseDir(),
      maxObjectBytes: 1024 * 1024,
      maxScanTimeMs: 60_000,
      startTimeoutMs: 60_000,
    });
  }

  it("starts and scans from a work folder deeper than a unix socket path allows", async () => {
    const workDir = join(scratchDir("deep"), ...Array.from({ length: 12 }, (_, i) => `level-${i}`));
    mkdirSync(workDir, { recursive: true });
    assert.ok(Buffer.byteLength(join(workDir, "clamd.sock")) > 100);
    const clamd = engineIn(workDir);
    try {
      await clamd.start();
      const scan = await clamd.scan(chunks(EICAR), 10_000);
      assert.equal(scan.outcome.status, "infected");
    } finally {
      await clamd.stop();
    }
  });

  it("starts clamd with none of the function's AWS credentials in its environment", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret-the-engine-must-not-see",
      AWS_SESSION_TOKEN: "token-the-engine-must-not-see",
    });
    const clamd = engineIn(scratchDir("env"));
    try {
      await clamd.start();
      const environ = readFileSync(`/proc/${clamd.pid}/environ`, "utf8").split("\0").filter(Boolean);
      assert.ok(environ.length > 0, "clamd's environment was read");
      assert.deepEqual(
        environ.filter((v) => v.startsWith("AWS_")),
        [],
      );
      assert.ok(
        environ.some((v) => v.startsWith("LC_ALL=")),
        "the layer's own variables are there",
      );
    } finally {
      await clamd.stop();
      process.env = saved;
    }
  });
});
