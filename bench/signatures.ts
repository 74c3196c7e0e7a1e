/**
 * The test signatures every benchmark database carries, so that infected objects are detected
 * whichever database is loaded: EICAR as a body pattern (found anywhere in an object, which lets the
 * benchmark embed it in larger files) and `clamav-testfiles`' clam.exe by MD5, as local mode's
 * test database does.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

/** The 68-byte standard antivirus test string. */
export const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/** Where Debian's `clamav-testfiles` puts the sample every packed test file unpacks to. */
export const CLAM_EXE = "/usr/share/clamav-testfiles/clam.exe";

/** The name ClamAV reports for the EICAR pattern (plus `.UNOFFICIAL`, as for every custom database). */
export const EICAR_SIGNATURE = "Bucketwarden.Test.Eicar";

/** `.ndb` line matching the first 30 bytes of EICAR at any offset of any file type. */
export function eicarNdbLine(): string {
  return `${EICAR_SIGNATURE}:0:*:${Buffer.from(EICAR.slice(0, 30), "latin1").toString("hex")}`;
}

/** `.hdb` line for clam.exe, or `undefined` when the test corpus is not installed. */
export function clamExeHdbLine(path = CLAM_EXE): string | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  return `${createHash("md5").update(bytes).digest("hex")}:${bytes.length}:Bucketwarden.Test.ClamExe`;
}
