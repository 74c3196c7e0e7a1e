import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeZip, type ZipEntry } from "../../layers/zip";

const ENTRIES: ZipEntry[] = [
  { name: "bin/", mode: 0o755 },
  { name: "bin/tool", mode: 0o755, data: Buffer.from("#!/bin/false\n".repeat(100)) },
  { name: "clamav/", mode: 0o755 },
  { name: "clamav/layer.json", mode: 0o644, data: Buffer.from('{"kind":"scanner"}\n') },
  { name: "clamav/empty", mode: 0o644, data: Buffer.alloc(0) },
];

describe("deterministic zip", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bw-zip-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the same bytes whatever the order of the entries", async () => {
    const forward = await writeZip(ENTRIES);
    const backward = await writeZip([...ENTRIES].reverse());
    assert.ok(forward.equals(backward));
  });

  it("is read back by Debian's unzip with sorted names, fixed 1980 timestamps and the given permissions", async () => {
    const zip = join(dir, "layer.zip");
    writeFileSync(zip, await writeZip(ENTRIES));
    execFileSync("unzip", ["-tq", zip]);
    const listing = execFileSync("zipinfo", ["-T", zip], { encoding: "utf8" })
      .split("\n")
      .filter((line) => /^[-d]r/.test(line))
      .map((line) => line.split(/\s+/))
      .map((cols) => [cols[0], cols[6], cols[7]].join(" "));
    assert.deepEqual(listing, [
      "drwxr-xr-x 19800101.000000 bin/",
      "-rwxr-xr-x 19800101.000000 bin/tool",
      "drwxr-xr-x 19800101.000000 clamav/",
      "-rw-r--r-- 19800101.000000 clamav/empty",
      "-rw-r--r-- 19800101.000000 clamav/layer.json",
    ]);
  });

  it("refuses two entries with the same name", async () => {
    await assert.rejects(writeZip([ENTRIES[1], ENTRIES[1]]), /duplicate entry bin\/tool/);
  });
});
