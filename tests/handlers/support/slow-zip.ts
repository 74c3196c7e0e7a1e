/**
 * A zip that takes the engine long to scan but is small to upload: many members, each megabytes of
 * text that deflates to almost nothing. The members differ (a numbered last line), so the engine's
 * cache of clean content cannot skip any of them.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";

export function slowZip(members: number, memberBytes: number): Buffer {
  const line = "a line of text that deflates to almost nothing, again and again\n";
  const body = Buffer.from(line.repeat(Math.ceil(memberBytes / line.length)).slice(0, memberBytes));
  // Deflated once with a sync flush (non-final blocks ending on a byte boundary); each member's own
  // last line follows as a separate final block, which may not refer back into the body.
  const bodyDeflated = deflateRawSync(body, { finishFlush: constants.Z_SYNC_FLUSH });
  const bodyCrc = crc32(body);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < members; i++) {
    const name = Buffer.from(`member-${String(i).padStart(5, "0")}.txt`);
    const suffix = Buffer.from(`member ${i}\n`);
    const data = Buffer.concat([bodyDeflated, deflateRawSync(suffix)]);
    const crc = crc32(suffix, bodyCrc);
    const size = body.length + suffix.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members, 8);
  end.writeUInt16LE(members, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}
