/**
 * Signatures the tests write themselves (nothing can reach ClamAV's network from here), and the
 * samples they catch. Notes: ../../../../shared/notes/clamav.md.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EICAR as EICAR_STRING } from "../../../local/signatures";

export const TESTFILES_DIR = "/usr/share/clamav-testfiles";

/** The 68-byte EICAR test string, as the bytes the tests upload. */
export const EICAR = Buffer.from(EICAR_STRING, "latin1");

/** `.hdb` (`md5:size:Name`) of clam.exe: ClamAV then finds it in every file of clamav-testfiles. */
export function clamExeHdb(): string {
  const exe = readFileSync(join(TESTFILES_DIR, "clam.exe"));
  return `${createHash("md5").update(exe).digest("hex")}:${exe.length}:Bucketwarden.Test.ClamExe\n`;
}

/** `.ndb` (`Name:Target:Offset:Hex`) of EICAR's first 30 bytes. */
export function eicarNdb(): string {
  return `Bucketwarden.Test.Eicar:0:*:${EICAR.subarray(0, 30).toString("hex")}\n`;
}

/** An `.ndb` line for any marker, for signatures "released" in the middle of a test. */
export function markerNdb(name: string, marker: string): string {
  return `${name}:0:*:${Buffer.from(marker, "utf8").toString("hex")}\n`;
}

/** The 44 files of Debian's clamav-testfiles. */
export function testFiles(): string[] {
  return readdirSync(TESTFILES_DIR).sort();
}
