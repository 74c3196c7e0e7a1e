import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMirror } from "../../local/mirror";
import { testDatabase, userSignatures } from "../../local/signatures";

describe("local/signatures: the user's own signature files in .local/signatures/", () => {
  it("takes .hdb, .hsb, .ndb and .ldb files, and nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "bw-sigs-"));
    for (const name of ["a.hdb", "b.hsb", "c.ndb", "d.ldb", "e.cvd", "notes.txt", ".hidden.hdb"])
      writeFileSync(join(dir, name), "x\n");
    assert.deepEqual(
      userSignatures(dir).map((f) => f.name),
      ["a.hdb", "b.hsb", "c.ndb", "d.ldb"],
    );
  });

  it("leaves out a file named like a test database, so the test signatures stay what they are", () => {
    const dir = mkdtempSync(join(tmpdir(), "bw-sigs-"));
    writeFileSync(join(dir, "bucketwarden-test.hdb"), "x\n");
    writeFileSync(join(dir, "mine.hdb"), "y\n");
    const taken = new Set(testDatabase().map((f) => f.name));
    assert.deepEqual(
      userSignatures(dir, taken).map((f) => f.name),
      ["mine.hdb"],
    );
  });

  it("is empty when the folder does not exist", () => {
    assert.deepEqual(userSignatures(join(tmpdir(), "bw-no-such-folder")), []);
  });

  it("is served by the mirror from the moment it is written, with its own Last-Modified", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bw-sigs-"));
    const mirror = await startMirror(() => [...testDatabase(), ...userSignatures(dir)]);
    try {
      assert.equal(mirror.urls.length, 2);
      writeFileSync(join(dir, "tomorrow.hdb"), "0123:4:Bucketwarden.TEST.Tomorrow\n");
      const url = mirror.urls.find((u) => u.endsWith("/tomorrow.hdb"));
      assert.ok(url, "the new file's URL is listed");
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "0123:4:Bucketwarden.TEST.Tomorrow\n");
      const again = await fetch(url, {
        headers: { "If-Modified-Since": res.headers.get("last-modified") ?? "" },
      });
      assert.equal(again.status, 304);
    } finally {
      await mirror.close();
    }
  });
});
