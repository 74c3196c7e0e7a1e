/**
 * A reader for the few ELF facts the layer build needs: the machine, the interpreter, the shared
 * libraries an object asks for and its own soname. Pure: it reads a buffer. Only 64-bit
 * little-endian ELF is read, which covers both Lambda architectures.
 */
import { ElfError } from "./errors";

/** `e_machine` values of Lambda's two architectures. */
export const ElfMachines = { x86_64: 62, arm64: 183 } as const;

export interface ElfInfo {
  /** `e_machine`: 62 for x86-64, 183 for AArch64. */
  machine: number;
  /** `e_type`: 2 for an executable, 3 for a shared object or a position-independent executable. */
  type: number;
  /** The program interpreter (`PT_INTERP`), for executables. */
  interpreter?: string;
  /** `DT_NEEDED` entries, in file order. */
  needed: string[];
  soname?: string;
  runpath?: string;
  rpath?: string;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

/** Whether `buf` starts with the ELF magic number. */
export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
}

/** Reads the ELF facts of a 64-bit little-endian object. */
export function readElf(buf: Buffer): ElfInfo {
  if (!isElf(buf)) throw new ElfError("not an ELF file");
  if (buf[4] !== 2 || buf[5] !== 1) throw new ElfError("only 64-bit little-endian ELF is supported");
  const type = buf.readUInt16LE(16);
  const machine = buf.readUInt16LE(18);
  const phoff = Number(buf.readBigUInt64LE(32));
  const phentsize = buf.readUInt16LE(54);
  const phnum = buf.readUInt16LE(56);

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    segments.push({
      type: buf.readUInt32LE(at),
      offset: Number(buf.readBigUInt64LE(at + 8)),
      vaddr: buf.readBigUInt64LE(at + 16),
      filesz: Number(buf.readBigUInt64LE(at + 32)),
    });
  }

  const info: ElfInfo = { machine, type, needed: [] };
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) info.interpreter = cString(buf, interp.offset);

  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return info;

  const entries: Array<[bigint, bigint]> = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.filesz; at += 16) {
    const tag = buf.readBigInt64LE(at);
    if (tag === DT_NULL) break;
    entries.push([tag, buf.readBigUInt64LE(at + 8)]);
  }
  const strtabAddr = entries.find(([tag]) => tag === DT_STRTAB)?.[1];
  if (strtabAddr === undefined) throw new ElfError("dynamic section without a string table");
  const strtab = fileOffset(segments, strtabAddr);
  for (const [tag, value] of entries) {
    const text = () => cString(buf, strtab + Number(value));
    if (tag === DT_NEEDED) info.needed.push(text());
    else if (tag === DT_SONAME) info.soname = text();
    else if (tag === DT_RUNPATH) info.runpath = text();
    else if (tag === DT_RPATH) info.rpath = text();
  }
  return info;
}

// The dynamic section holds virtual addresses; the loadable segment containing one maps it to the file.
function fileOffset(segments: readonly Segment[], vaddr: bigint): number {
  const load = segments.find(
    (s) => s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + BigInt(s.filesz),
  );
  if (!load) throw new ElfError(`address 0x${vaddr.toString(16)} is in no loadable segment`);
  return load.offset + Number(vaddr - load.vaddr);
}

function cString(buf: Buffer, at: number): string {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new ElfError("unterminated string");
  return buf.toString("utf8", at, end);
}
