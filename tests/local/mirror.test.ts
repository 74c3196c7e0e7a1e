import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  currentArchitecture,
  extractedLayerDir,
  type LambdaArchitecture,
  toolCommand,
} from "../../core/layer-layout";
import { startMirror } from "../../local/mirror";
import { PROJECT_ROOT } from "../../local/paths";
import { EICAR, TestSignatureNames, testDatabase } from "../../local/signatures";

const TESTFILES = "/usr/share/clamav-testfiles";

describe("the local signature mirror", () => {
  it("serves the TEST database on loopback and answers 304 when nothing changed since", async () => {
    const mirror = await startMirror(testDatabase());
    try {
      assert.equal(mirror.urls.length, 2);
      for (const url of mirror.urls)
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/bucketwarden-test\.[hn]db$/);
      const first = await fetch(mirror.urls[0]);
      assert.equal(first.status, 200);
      assert.match(await first.text(), new RegExp(`^[0-9a-f]{32}:544:${TestSignatureNames.clamExe}\n$`));
      const lastModified = first.headers.get("last-modified") ?? "";
      const again = await fetch(mirror.urls[0], { headers: { "If-Modified-Since": lastModified } });
      assert.equal(again.status, 304);
      assert.equal((await fetch(mirror.urls[0].replace(/[^/]+$/, "main.cvd"))).status, 404);
    } finally {
      await mirror.close();
    }
  });

  it("labels every signature as a TEST signature", () => {
    for (const f of testDatabase()) {
      for (const line of f.content.toString().trim().split("\n")) assert.match(line, /Bucketwarden\.TEST\./);
    }
  });
});

describe("the TEST database, loaded by the scanner layer's own engine", function () {
  this.timeout(120_000);
  const arch = currentArchitecture() as LambdaArchitecture;
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bw-testdb-"));
    for (const f of testDatabase()) writeFileSync(join(dir, f.name), f.content);
    writeFileSync(join(dir, "eicar.com"), EICAR);
    writeFileSync(join(dir, "clean.txt"), "nothing to see here\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("detects EICAR and all 44 files of clamav-testfiles, and nothing in a clean file", () => {
    const db = testDatabase().flatMap((f) => ["-d", join(dir, f.name)]);
    const cmd = toolCommand(extractedLayerDir(PROJECT_ROOT, "scanner", arch), arch, "clamscan", [
      "--no-summary",
      ...db,
      TESTFILES,
      join(dir, "eicar.com"),
      join(dir, "clean.txt"),
    ]);
    const run = spawnSync(cmd.command, cmd.args, { env: { ...process.env, ...cmd.env }, encoding: "utf8" });
    assert.equal(run.status, 1, run.stderr);
    const found = run.stdout.split("\n").filter((l) => l.endsWith(" FOUND"));
    assert.equal(found.length, readdirSync(TESTFILES).length + 1);
    assert.equal(readdirSync(TESTFILES).length, 44);
    assert.ok(found.some((l) => l.includes(`eicar.com: ${TestSignatureNames.eicar}.UNOFFICIAL FOUND`)));
    assert.match(run.stdout, /clean\.txt: OK/);
  });
});
