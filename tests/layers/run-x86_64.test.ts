import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractedLayerDir, LAYER_BUILD_DIR, layerZipName, toolCommand } from "../../core/layer-layout";
import { BUILD_TIMEOUT_MS, layersBuilt } from "./support/build";
import { EmptyRoot } from "./support/empty-root";
import {
  ARCHIVES,
  CLAM_EXE_SIGNATURE,
  clamdCommand,
  clamdInstream,
  EICAR,
  EICAR_SIGNATURE,
  TESTFILES_DIR,
  withClamd,
  writeSamples,
  writeSignatures,
} from "./support/samples";

const PROJECT_ROOT = join(__dirname, "../..");
const SCANNER_ZIP = join(PROJECT_ROOT, LAYER_BUILD_DIR, layerZipName("scanner", "x86_64"));

describe("x86_64 scanner layer runs with nothing from the host", () => {
  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    if (process.arch !== "x64") {
      // The reporter lists skipped titles; say why here, where a reader of the log sees it.
      console.log(
        `  skipped: the x86_64 layer runs natively only on an x86_64 host; this one is ${process.arch}`,
      );
      this.skip();
    }
    await layersBuilt();
  });

  describe("alone in an empty root (read-only but /tmp)", () => {
    let root: EmptyRoot;

    before(() => {
      root = new EmptyRoot(SCANNER_ZIP);
      writeSamples(root.tmp);
      writeFileSync(join(root.tmp, "files/clean.txt"), "nothing to see here\n");
    });
    after(() => root?.dispose());

    it("holds nothing but the layer at /opt, /proc and /tmp", () => {
      assert.deepEqual(root.entries(), ["opt", "proc", "tmp"]);
    });

    it("runs clamscan as Lambda would, straight from /opt/bin with its patched loader", () => {
      const result = root.run(["/opt/bin/clamscan", "--version"]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^ClamAV 1\.4\.6/);
    });

    it("detects the EICAR string with a body signature the test wrote", () => {
      const result = root.run([
        "/opt/bin/clamscan",
        "--no-summary",
        "-d",
        "/tmp/test.ndb",
        "/tmp/files/eicar.txt",
      ]);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, new RegExp(`/tmp/files/eicar.txt: ${EICAR_SIGNATURE}.UNOFFICIAL FOUND`));
    });

    it("detects clam.exe inside zip, 7z, cab, tar.gz, arj, cpio, bz2, mail, OLE and PDF files from the layer alone", () => {
      const result = root.run([
        "/opt/bin/clamscan",
        "--no-summary",
        "-d",
        "/tmp/test.hdb",
        "-r",
        "/tmp/files",
      ]);
      assert.equal(result.status, 1, result.stderr);
      for (const name of ARCHIVES) {
        assert.match(
          result.stdout,
          new RegExp(`/tmp/files/${name.replace(/\./g, "\\.")}: ${CLAM_EXE_SIGNATURE}\\.UNOFFICIAL FOUND`),
        );
      }
    });

    it("reports a clean file as clean with exit code 0", () => {
      const result = root.run([
        "/opt/bin/clamscan",
        "--no-summary",
        "-d",
        "/tmp/test.hdb",
        "-d",
        "/tmp/test.ndb",
        "/tmp/files/clean.txt",
      ]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /clean\.txt: OK/);
    });

    it("converts UTF-16 text of an OLE2 document with the layer's own iconv modules (through toolCommand)", () => {
      const command = toolCommand("/opt", "x86_64", "clamscan", [
        "--debug",
        "--no-summary",
        "-d",
        "/tmp/test.hdb",
        "/tmp/files/clam.ole.doc",
      ]);
      const result = root.run([command.command, ...command.args], { env: command.env });
      assert.equal(result.status, 1, result.stderr);
      // ClamAV's debug log is the only witness: without the modules iconv_open fails and it says so.
      assert.match(result.stderr, /iconv_open\(\),for:UCS-4/);
      assert.doesNotMatch(result.stderr, /Encoding not accepted by iconv_open/);
    });

    it("runs clamscan through toolCommand('/opt'), the way the handlers start it on Lambda", () => {
      const command = toolCommand("/opt", "x86_64", "clamscan", [
        "--no-summary",
        "-d",
        "/tmp/test.ndb",
        "/tmp/files/eicar.txt",
      ]);
      const result = root.run([command.command, ...command.args], { env: command.env });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, /FOUND/);
    });

    it("starts clamd from the layer, which answers PING and finds clam.exe and EICAR in zINSTREAM streams, also sent by clamdscan", async function () {
      this.timeout(120_000);
      await withClamd(root, ["test.hdb", "test.ndb"], 60_000, async (socket) => {
        assert.equal(await clamdCommand(socket, "PING"), "PONG");
        assert.equal(
          await clamdInstream(socket, readFileSync(join(TESTFILES_DIR, "clam.7z"))),
          `stream: ${CLAM_EXE_SIGNATURE}.UNOFFICIAL FOUND`,
        );
        assert.equal(
          await clamdInstream(socket, Buffer.from(EICAR)),
          `stream: ${EICAR_SIGNATURE}.UNOFFICIAL FOUND`,
        );
        assert.equal(await clamdInstream(socket, Buffer.from("clean\n")), "stream: OK");

        // clamdscan, from a second chroot into the same root, reaches clamd through the socket in /tmp.
        const scan = root.run([
          "/opt/bin/clamdscan",
          "--config-file=/tmp/clamd.conf",
          "--stream",
          "--no-summary",
          "/tmp/files/eicar.txt",
        ]);
        assert.equal(scan.status, 1, scan.stderr);
        assert.match(scan.stdout, new RegExp(`eicar.txt: ${EICAR_SIGNATURE}.UNOFFICIAL FOUND`));
      });
    });
  });

  describe("the extracted layer in .build/layers, as tests and local mode use it", () => {
    let work: string;
    before(() => {
      work = mkdtempSync(join(tmpdir(), "bw-layer-cwd-"));
      writeSignatures(work);
      writeFileSync(join(work, "eicar.txt"), EICAR);
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it("runs clamscan through toolCommand() from any directory, ignoring the host's LD_LIBRARY_PATH", () => {
      const layer = extractedLayerDir(PROJECT_ROOT, "scanner", "x86_64");
      const command = toolCommand(layer, "x86_64", "clamscan", [
        "--no-summary",
        "-d",
        "test.ndb",
        "eicar.txt",
      ]);
      const result = spawnSync(command.command, command.args, {
        cwd: work,
        encoding: "utf8",
        env: {
          ...process.env,
          LD_LIBRARY_PATH: "/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu",
          ...command.env,
        },
      });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, new RegExp(`eicar.txt: ${EICAR_SIGNATURE}.UNOFFICIAL FOUND`));
    });
  });
});
