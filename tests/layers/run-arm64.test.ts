import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LAYER_BUILD_DIR, LayerTools, layerZipName } from "../../core/layer-layout";
import { ElfMachines, readElf } from "../../layers/elf";
import { BUILD_TIMEOUT_MS, layersBuilt } from "./support/build";
import { EmptyRoot } from "./support/empty-root";
import {
  ARCHIVES,
  CLAM_EXE_SIGNATURE,
  clamdCommand,
  clamdInstream,
  EICAR_SIGNATURE,
  TESTFILES_DIR,
  withClamd,
  writeSamples,
} from "./support/samples";

const PROJECT_ROOT = join(__dirname, "../..");
const zipOf = (kind: "scanner" | "freshclam") =>
  join(PROJECT_ROOT, LAYER_BUILD_DIR, layerZipName(kind, "arm64"));

/** Debian's qemu-user-static; a static emulator can run inside the empty root. */
const QEMU = "/usr/bin/qemu-aarch64-static";
const emulation = process.arch === "arm64" ? "native" : existsSync(QEMU) ? "qemu" : "none";
const NO_EMULATOR = `cannot run the arm64 layer: this is ${process.arch} and ${QEMU} is missing (apt-get install qemu-user-static)`;

describe("arm64 layers", () => {
  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    await layersBuilt();
  });

  it("are built for AArch64: every tool and library is ELF machine 183", () => {
    for (const kind of ["scanner", "freshclam"] as const) {
      const dir = join(PROJECT_ROOT, LAYER_BUILD_DIR, `${kind}-arm64`);
      for (const tool of LayerTools[kind]) {
        assert.equal(
          readElf(readFileSync(join(dir, "bin", tool))).machine,
          ElfMachines.arm64,
          `${kind} ${tool}`,
        );
      }
      assert.equal(readElf(readFileSync(join(dir, "clamav/lib/libc.so.6"))).machine, ElfMachines.arm64);
    }
  });

  if (emulation === "none") {
    // Pending, with the reason in its title, so the report says what was not shown and why.
    it.skip(`run in an empty root: SKIPPED, ${NO_EMULATOR}`);
    return;
  }

  describe(`run in an empty root (${emulation === "qemu" ? "emulated by qemu-aarch64-static" : "natively"})`, () => {
    let root: EmptyRoot;

    before(() => {
      root = new EmptyRoot(zipOf("scanner"), { emulator: emulation === "qemu" ? QEMU : undefined });
      writeSamples(root.tmp);
    });
    after(() => root?.dispose());

    it("detects EICAR and clam.exe inside archives with the arm64 clamscan", function () {
      this.timeout(120_000);
      const result = root.run([
        "/opt/bin/clamscan",
        "--no-summary",
        "-d",
        "/tmp/test.hdb",
        "-d",
        "/tmp/test.ndb",
        "-r",
        "/tmp/files",
      ]);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, new RegExp(`eicar.txt: ${EICAR_SIGNATURE}.UNOFFICIAL FOUND`));
      for (const name of ARCHIVES) {
        assert.match(
          result.stdout,
          new RegExp(`${name.replace(/\./g, "\\.")}: ${CLAM_EXE_SIGNATURE}\\.UNOFFICIAL FOUND`),
        );
      }
    });

    it("starts the arm64 clamd, which answers PING and scans a stream", async function () {
      this.timeout(180_000);
      await withClamd(root, ["test.hdb"], 120_000, async (socket) => {
        assert.equal(await clamdCommand(socket, "PING"), "PONG");
        assert.equal(
          await clamdInstream(socket, readFileSync(join(TESTFILES_DIR, "clam.zip"))),
          `stream: ${CLAM_EXE_SIGNATURE}.UNOFFICIAL FOUND`,
        );
      });
    });

    it("runs the arm64 freshclam --version with the layer's own freshclam.conf", () => {
      const freshclam = new EmptyRoot(zipOf("freshclam"), {
        emulator: emulation === "qemu" ? QEMU : undefined,
      });
      try {
        const result = freshclam.run([
          "/opt/bin/freshclam",
          "--config-file=/opt/clamav/etc/freshclam.conf",
          "--version",
        ]);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^ClamAV 1\.4\.6/);
      } finally {
        freshclam.dispose();
      }
    });
  });
});
