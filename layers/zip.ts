/**
 * A deterministic zip writer: the same entries give the same bytes. Every entry gets the same
 * timestamp, entries are sorted by name, and only the permission bits the caller fixes are kept
 * (no owner, no extra fields), so a layer rebuilt from the same packages deploys as "no change".
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { crc32, deflateRaw } from "node:zlib";
import { LayerBuildError } from "./errors";

export interface ZipEntry {
  /** Path inside the archive, `/`-separated; directories end with `/`. */
  name: string;
  /** Unix permission bits, e.g. `0o755`. */
  mode: number;
  /** File contents; absent for directories. */
  data?: Buffer;
}

/** The entries do not fit a plain (non-zip64) archive, or two share a name. */
export class ZipError extends LayerBuildError {}

// 1980-01-01 00:00:00, the earliest MS-DOS date: a fixed point that no clock or time zone moves.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const VERSION_MADE_BY_UNIX = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const MSDOS_DIRECTORY = 0x10;
const STORE = 0;
const DEFLATE = 8;
const FLAG_UTF8 = 0x0800;

const deflate = promisify(deflateRaw);

/**
 * Writes `entries` as a zip archive, sorted by name; duplicate names are refused. Entries are
 * compressed in parallel on libuv's thread pool, then laid out in order.
 */
export async function writeZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name) throw new ZipError(`duplicate entry ${sorted[i].name}`);
  }
  if (sorted.length >= 0xffff) throw new ZipError(`${sorted.length} entries need zip64`);

  const raws = sorted.map((entry) =>
    entry.name.endsWith("/") ? Buffer.alloc(0) : (entry.data ?? Buffer.alloc(0)),
  );
  // zlib's default level: level 9 makes the layers 0.2% smaller and their build twice as slow.
  const compressed = await Promise.all(
    raws.map((raw) => (raw.length > 0 ? deflate(raw, { level: 6 }) : raw)),
  );

  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [i, entry] of sorted.entries()) {
    const isDir = entry.name.endsWith("/");
    const name = Buffer.from(entry.name, "utf8");
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : FLAG_UTF8;
    const raw = raws[i];
    const deflated = compressed[i];
    const method = deflated.length < raw.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : raw;
    const crc = crc32(raw);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
    header.writeUInt16LE(VERSION_NEEDED, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(raw.length, 24);
    header.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: all zero
    const unixMode = ((isDir ? S_IFDIR : S_IFREG) | (entry.mode & 0o7777)) >>> 0;
    header.writeUInt32LE(((unixMode << 16) | (isDir ? MSDOS_DIRECTORY : 0)) >>> 0, 38);
    header.writeUInt32LE(offset, 42);

    parts.push(local, name, body);
    central.push(header, name);
    offset += local.length + name.length + body.length;
    if (offset > 0xffffffff) throw new ZipError("archive over 4 GiB needs zip64");
  }

  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

/**
 * The files and folders under `dir` as zip entries. Permissions are reduced to 0755 (folders and
 * anything executable) or 0644, so the umask or a checkout's modes never reach the archive.
 */
export function directoryEntries(dir: string): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const walk = (relative: string) => {
    for (const item of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const name = relative ? `${relative}/${item.name}` : item.name;
      if (item.isDirectory()) {
        entries.push({ name: `${name}/`, mode: 0o755 });
        walk(name);
      } else if (item.isFile()) {
        const path = join(dir, name);
        const executable = (statSync(path).mode & 0o111) !== 0;
        entries.push({ name, mode: executable ? 0o755 : 0o644, data: readFileSync(path) });
      } else {
        throw new ZipError(`${name} is neither a file nor a folder; layers hold no links`);
      }
    }
  };
  walk("");
  return entries;
}
