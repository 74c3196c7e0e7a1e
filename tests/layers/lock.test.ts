import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withLock } from "../../layers/lock";

describe("layer build lock", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bw-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs two builds one after the other, never together", async () => {
    const lock = join(dir, ".lock");
    const events: string[] = [];
    const build = (name: string) =>
      withLock(lock, async () => {
        events.push(`${name} start`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${name} end`);
      });
    await Promise.all([build("a"), build("b")]);
    assert.deepEqual(events, ["a start", "a end", "b start", "b end"]);
    assert.equal(existsSync(lock), false);
  });

  it("takes over a lock left by a build that died", async () => {
    const lock = join(dir, ".lock");
    writeFileSync(lock, "2147483646\n");
    assert.equal(await withLock(lock, async () => "built"), "built");
  });

  it("gives up on a live holder after the timeout, naming the lock", async () => {
    const lock = join(dir, ".lock");
    writeFileSync(lock, `${process.pid}\n`);
    await assert.rejects(
      withLock(lock, async () => "built", 600),
      /another layer build holds .*\.lock/,
    );
  });
});
