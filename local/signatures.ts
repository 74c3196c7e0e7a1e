/**
 * The TEST signature database the local mirror serves. It is not a malware database: it detects the
 * EICAR test string and ClamAV's own harmless test corpus (`clamav-testfiles`), so that the pipeline
 * can be shown catching something on a machine that cannot reach ClamAV's signature network.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";

/** The EICAR anti-virus test file: 68 harmless bytes every engine reports. */
export const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/** ClamAV's test executable; every file of `clamav-testfiles` contains it, packed or archived. */
export const CLAM_EXE = "/usr/share/clamav-testfiles/clam.exe";

/** Signature names say TEST so that no one mistakes a detection for real malware. */
export const TestSignatureNames = {
  clamExe: "Bucketwarden.TEST.ClamAV-Testfile",
  eicar: "Bucketwarden.TEST.EICAR",
} as const;

/** One database file as freshclam fetches it with `DatabaseCustomURL`. */
export interface DatabaseFile {
  name: string;
  content: Buffer;
  /** When the file last changed (a mirror's Last-Modified); the mirror's start when absent. */
  modified?: Date;
}

/** The database kinds a user may drop into `.local/signatures/`: hashes, body and logical signatures. */
export const USER_SIGNATURE_EXTENSIONS = [".hdb", ".hsb", ".ndb", ".ldb"] as const;

/**
 * The user's own signature files in `dir` (`.local/signatures/`), read afresh on every call so that a
 * file added while the pipeline runs is served on the next update. Names the test database already
 * uses are left out: the test signatures stay what the docs say they are.
 */
export function userSignatures(dir: string, taken: ReadonlySet<string> = new Set()): DatabaseFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => USER_SIGNATURE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)))
    .filter((name) => !name.startsWith(".") && !taken.has(name) && /^[\w.-]+$/.test(name))
    .sort()
    .flatMap((name) => {
      const path = `${dir}/${name}`;
      const info = statSync(path);
      if (!info.isFile()) return [];
      return [
        { name, content: readFileSync(path), modified: new Date(Math.floor(info.mtimeMs / 1000) * 1000) },
      ];
    });
}

/**
 * The database: an `.hdb` line (MD5 and size of `clam.exe`; ClamAV unpacks the corpus itself, so one
 * hash finds all 44 files) and an `.ndb` body pattern (the first 30 bytes of EICAR, anywhere in any file).
 */
export function testDatabase(clamExe: Buffer = readFileSync(CLAM_EXE)): DatabaseFile[] {
  const md5 = createHash("md5").update(clamExe).digest("hex");
  const eicarHead = Buffer.from(EICAR.slice(0, 30), "latin1").toString("hex");
  return [
    {
      name: "bucketwarden-test.hdb",
      content: Buffer.from(`${md5}:${clamExe.length}:${TestSignatureNames.clamExe}\n`),
    },
    { name: "bucketwarden-test.ndb", content: Buffer.from(`${TestSignatureNames.eicar}:0:*:${eicarHead}\n`) },
  ];
}
