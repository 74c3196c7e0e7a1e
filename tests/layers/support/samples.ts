/**
 * What the layer tests scan and with which signatures. The signatures are written by the tests
 * (nothing can reach ClamAV's signature network here): an MD5 signature of Debian's clamav-testfiles
 * `clam.exe`, which ClamAV then finds inside every archive of that package because it unpacks them
 * itself, and a body signature of the first 30 bytes of the EICAR test string.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { EICAR } from "../../../local/signatures";
import type { EmptyRoot } from "./empty-root";

export { EICAR };

export const TESTFILES_DIR = "/usr/share/clamav-testfiles";

export const CLAM_EXE_SIGNATURE = "BucketwardenTest.ClamExe";
export const EICAR_SIGNATURE = "BucketwardenTest.Eicar";

/** Archives and encodings of clam.exe in clamav-testfiles, each a different unpacker of ClamAV. */
export const ARCHIVES = [
  "clam.zip",
  "clam.7z",
  "clam.cab",
  "clam.tar.gz",
  "clam.arj",
  "clam.bin-le.cpio",
  "clam.exe.bz2",
  "clam.exe.mbox.base64",
  "clam.ole.doc",
  "clam.pdf",
] as const;

/** Writes `test.hdb` (clam.exe) and `test.ndb` (EICAR) into `dir`; returns their paths inside `dir`. */
export function writeSignatures(dir: string): { hdb: string; ndb: string } {
  const clamExe = readFileSync(join(TESTFILES_DIR, "clam.exe"));
  const md5 = createHash("md5").update(clamExe).digest("hex");
  writeFileSync(join(dir, "test.hdb"), `${md5}:${clamExe.length}:${CLAM_EXE_SIGNATURE}\n`);
  const eicarHead = Buffer.from(EICAR.slice(0, 30), "latin1").toString("hex");
  writeFileSync(join(dir, "test.ndb"), `${EICAR_SIGNATURE}:0:*:${eicarHead}\n`);
  return { hdb: "test.hdb", ndb: "test.ndb" };
}

/** Writes the signatures into `dir` and, into `dir/files`, `eicar.txt` and every one of {@link ARCHIVES}. */
export function writeSamples(dir: string): void {
  writeSignatures(dir);
  mkdirSync(join(dir, "files"));
  for (const name of ARCHIVES) copyFileSync(join(TESTFILES_DIR, name), join(dir, "files", name));
  writeFileSync(join(dir, "files/eicar.txt"), EICAR);
}

/** A clamd configuration for a layer run with only /tmp writable. */
export function clamdConf(socket: string, databaseDir: string): string {
  return [
    `LocalSocket ${socket}`,
    "Foreground yes",
    `DatabaseDirectory ${databaseDir}`,
    "TemporaryDirectory /tmp",
    // Limits that are hit must not read as clean.
    "AlertExceedsMax yes",
    "",
  ].join("\n");
}

/** Sends one clamd command (`zPING`, `zVERSION`) and returns the reply without its NUL. */
export function clamdCommand(socket: string, command: string): Promise<string> {
  return clamdExchange(socket, [Buffer.from(`z${command}\0`)]);
}

/** Scans `data` with clamd's zINSTREAM: `<4-byte length><bytes>` chunks ended by a zero length. */
export function clamdInstream(socket: string, data: Buffer): Promise<string> {
  const chunks: Buffer[] = [Buffer.from("zINSTREAM\0")];
  for (let at = 0; at < data.length; at += 64 * 1024) {
    const chunk = data.subarray(at, at + 64 * 1024);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(chunk.length);
    chunks.push(length, chunk);
  }
  chunks.push(Buffer.alloc(4));
  return clamdExchange(socket, chunks);
}

function clamdExchange(socket: string, parts: Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const client = connect(socket, () => client.end(Buffer.concat(parts)));
    client.setTimeout(30_000, () => client.destroy(new Error(`clamd at ${socket} did not answer`)));
    client.on("data", (data) => received.push(data));
    client.on("error", reject);
    client.on("close", () => resolve(Buffer.concat(received).toString("utf8").replace(/\0$/, "")));
  });
}

/** Resolves once `path` exists (clamd creates its socket when its database is loaded). */
export async function waitFor(
  path: string,
  what: string,
  timeoutMs: number,
  alive: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (!alive()) throw new Error(`${what} exited before creating ${path}`);
    if (Date.now() > deadline) throw new Error(`${what} did not create ${path} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the layer's clamd in `root` with `databases` (files in the root's /tmp, copied to /tmp/db),
 * calls `use` with its socket once clamd has loaded them, and stops clamd whatever `use` did.
 */
export async function withClamd(
  root: EmptyRoot,
  databases: readonly string[],
  readyTimeoutMs: number,
  use: (socket: string) => Promise<void>,
): Promise<void> {
  mkdirSync(join(root.tmp, "db"));
  for (const name of databases) copyFileSync(join(root.tmp, name), join(root.tmp, "db", name));
  writeFileSync(join(root.tmp, "clamd.conf"), clamdConf("/tmp/clamd.sock", "/tmp/db"));
  const clamd = root.start(["/opt/bin/clamd", "--config-file=/tmp/clamd.conf"]);
  let output = "";
  clamd.stdout?.on("data", (d) => (output += d));
  clamd.stderr?.on("data", (d) => (output += d));
  try {
    const socket = join(root.tmp, "clamd.sock");
    await waitFor(socket, `clamd (${output})`, readyTimeoutMs, () => clamd.exitCode === null);
    await use(socket);
  } finally {
    await root.stop(clamd);
  }
}
