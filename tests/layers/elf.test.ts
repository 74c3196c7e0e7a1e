import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ElfMachines, isElf, readElf } from "../../layers/elf";

describe("ELF reader", () => {
  // This very process: an x86-64 or AArch64 executable with an interpreter and DT_NEEDED entries.
  const self = readElf(readFileSync(process.execPath));

  it("reads the machine of the running Node executable", () => {
    assert.equal(self.machine, process.arch === "arm64" ? ElfMachines.arm64 : ElfMachines.x86_64);
  });

  it("reads the interpreter and the libraries an executable needs", () => {
    assert.match(self.interpreter ?? "", /ld-linux-(x86-64|aarch64)\.so\.[12]$/);
    assert.ok(self.needed.includes("libc.so.6"), self.needed.join(" "));
  });

  it("tells ELF files from others and refuses to read the others", () => {
    assert.equal(isElf(Buffer.from("#!/bin/sh\n")), false);
    assert.throws(() => readElf(Buffer.from("#!/bin/sh\n")), /not an ELF file/);
  });
});
