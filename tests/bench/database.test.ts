import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hdbLines, NDB_ANY_TYPE_EVERY, ndbLines, writeDatabase } from "../../bench/database";
import { createPrng } from "../../bench/prng";

const take = (lines: Iterable<string>) => [...lines];

describe("bench/database", () => {
  it("generates the same signatures from the same seed", () => {
    assert.deepEqual(take(hdbLines(50, createPrng("a"))), take(hdbLines(50, createPrng("a"))));
    assert.deepEqual(take(ndbLines(50, createPrng("a"))), take(ndbLines(50, createPrng("a"))));
  });

  it("generates different signatures from a different seed", () => {
    assert.notDeepEqual(take(hdbLines(5, createPrng("a"))), take(hdbLines(5, createPrng("b"))));
  });

  it("writes .hdb lines as md5:size:name with a size ClamAV accepts", () => {
    for (const line of hdbLines(200, createPrng("hdb"))) {
      const m = /^([0-9a-f]{32}):(\d+):(Bucketwarden\.Synthetic\.Hdb-\d+)$/.exec(line);
      assert.ok(m, line);
      assert.ok(Number(m[2]) >= 64 && Number(m[2]) <= 1024 * 1024, line);
    }
  });

  it("writes .ndb lines of 16-32 bytes, one in every NDB_ANY_TYPE_EVERY for any file type", () => {
    const lines = take(ndbLines(NDB_ANY_TYPE_EVERY * 4, createPrng("ndb")));
    for (const line of lines) {
      const m = /^Bucketwarden\.Synthetic\.Ndb-\d+:(\d+):\*:([0-9a-f]+)$/.exec(line);
      assert.ok(m, line);
      assert.ok(m[2].length >= 32 && m[2].length <= 64, line);
    }
    assert.equal(lines.filter((l) => l.split(":")[1] === "0").length, 4);
  });

  it("writes byte-identical files on every run", () => {
    const digest = (dir: string, name: string) =>
      createHash("sha256")
        .update(readFileSync(join(dir, name)))
        .digest("hex");
    const spec = { name: "t", hdb: 1000, ndb: 100, seed: "fixed" };
    const a = mkdtempSync(join(tmpdir(), "bw-db-"));
    const b = mkdtempSync(join(tmpdir(), "bw-db-"));
    try {
      const written = writeDatabase(a, spec);
      writeDatabase(b, spec);
      assert.ok(written.files.includes("synthetic.hdb") && written.files.includes("synthetic.ndb"));
      for (const name of written.files) assert.equal(digest(a, name), digest(b, name), name);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  it("always carries the EICAR pattern, so infected objects are found with either database", () => {
    const dir = mkdtempSync(join(tmpdir(), "bw-db-"));
    try {
      const written = writeDatabase(dir, { name: "test", hdb: 0, ndb: 0, seed: "" });
      assert.ok(!written.files.includes("synthetic.hdb"));
      assert.match(readFileSync(join(dir, "bucketwarden-test.ndb"), "utf8"), /^[\w.]+:0:\*:58354f21/);
      assert.ok(written.files.includes("bucketwarden-test.hdb"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
