/**
 * RAR archives written by hand, stored (uncompressed), for the tests: Debian's clamav-testfiles
 * drops its RAR samples, and no RAR writer is free software. Both formats follow RARLAB's technical
 * notes; `bsdtar` (libarchive) reads them back in the tests to prove they are real archives.
 */
import { crc32 } from "node:zlib";

/** RAR 1.5-4.x marker block ("Rar!\x1a\x07\x00"). */
export const RAR4_MARKER = Buffer.from("526172211a0700", "hex");
/** RAR 5 signature ("Rar!\x1a\x07\x01\x00"). */
export const RAR5_SIGNATURE = Buffer.from("526172211a070100", "hex");

/** A RAR 2.9/4 block: HEAD_CRC is the low 16 bits of the CRC32 of everything after it. */
function rar4Block(body: Buffer): Buffer {
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc32(body) & 0xffff, 0);
  return Buffer.concat([crc, body]);
}

/** A RAR 2.9/4 archive holding `content` as `name`, stored. */
export function rar4Of(name: string, content: Buffer): Buffer {
  // Archive header: HEAD_TYPE 0x73, HEAD_FLAGS 0, HEAD_SIZE 13, two reserved fields.
  const main = Buffer.alloc(11);
  main.writeUInt8(0x73, 0);
  main.writeUInt16LE(0, 1);
  main.writeUInt16LE(13, 3);
  const fileName = Buffer.from(name, "latin1");
  // File header: HEAD_TYPE 0x74, HEAD_FLAGS 0x8000 (a data area follows), HEAD_SIZE, PACK_SIZE,
  // UNP_SIZE, HOST_OS (3 Unix), FILE_CRC, FTIME (DOS), UNP_VER 29, METHOD 0x30 (store),
  // NAME_SIZE, ATTR, FILE_NAME.
  const file = Buffer.alloc(30 + fileName.length);
  file.writeUInt8(0x74, 0);
  file.writeUInt16LE(0x8000, 1);
  file.writeUInt16LE(32 + fileName.length, 3);
  file.writeUInt32LE(content.length, 5);
  file.writeUInt32LE(content.length, 9);
  file.writeUInt8(3, 13);
  file.writeUInt32LE(crc32(content), 14);
  file.writeUInt32LE(((2024 - 1980) << 25) | (1 << 21) | (1 << 16), 18);
  file.writeUInt8(29, 22);
  file.writeUInt8(0x30, 23);
  file.writeUInt16LE(fileName.length, 24);
  file.writeUInt32LE(0o100644 << 0, 26);
  fileName.copy(file, 30);
  // End of archive: HEAD_TYPE 0x7b, HEAD_FLAGS 0x4000, HEAD_SIZE 7.
  const end = Buffer.from([0x7b, 0x00, 0x40, 0x07, 0x00]);
  return Buffer.concat([RAR4_MARKER, rar4Block(main), rar4Block(file), content, rar4Block(end)]);
}

/** RAR 5's variable-length integer: 7 bits a byte, low bits first, high bit set on all but the last. */
function vint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    bytes.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return Buffer.from(bytes);
}

/** A RAR 5 header: CRC32 of (size + body), the size as a vint, then the body (type onwards). */
function rar5Header(body: Buffer): Buffer {
  const sized = Buffer.concat([vint(body.length), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(sized), 0);
  return Buffer.concat([crc, sized]);
}

/** A RAR 5 archive holding `content` as `name`, stored. */
export function rar5Of(name: string, content: Buffer): Buffer {
  // Main archive header: type 1, header flags 0, archive flags 0.
  const main = rar5Header(Buffer.concat([vint(1), vint(0), vint(0)]));
  const fileName = Buffer.from(name, "utf8");
  const dataCrc = Buffer.alloc(4);
  dataCrc.writeUInt32LE(crc32(content), 0);
  // File header: type 2, header flags 0x0002 (data area), data size, file flags 0x0004 (CRC32
  // present), unpacked size, attributes, CRC32, compression info 0 (RAR 5.0, store), host OS 1
  // (Unix), name length, name.
  const file = rar5Header(
    Buffer.concat([
      vint(2),
      vint(0x0002),
      vint(content.length),
      vint(0x0004),
      vint(content.length),
      vint(0o100644),
      dataCrc,
      vint(0),
      vint(1),
      vint(fileName.length),
      fileName,
    ]),
  );
  // End of archive: type 5, header flags 0, end flags 0.
  const end = rar5Header(Buffer.concat([vint(5), vint(0), vint(0)]));
  return Buffer.concat([RAR5_SIGNATURE, main, file, content, end]);
}
