/**
 * The objects the benchmark scans: seeded random bytes, each sample different (clamd keeps a cache
 * of clean files by hash, so scanning the same bytes twice would measure the cache), and the
 * infected ones with the EICAR string embedded in the middle, where only a full scan finds it.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { EICAR } from "../local/signatures";
import { createPrng } from "./prng";

export interface ObjectSpec {
  bytes: number;
  infected: boolean;
  /** Distinct per sample: same seed, same bytes. */
  seed: string;
}

const EICAR_BYTES = Buffer.from(EICAR, "latin1");

/** Where EICAR starts in an infected object of `bytes`. */
export function eicarOffset(bytes: number): number {
  if (bytes < EICAR_BYTES.length)
    throw new RangeError(`an infected object needs at least ${EICAR_BYTES.length} bytes, got ${bytes}`);
  return Math.floor((bytes - EICAR_BYTES.length) / 2);
}

/** The object's bytes, `chunkBytes` at a time, without holding more than one chunk. */
export function* objectChunks(spec: ObjectSpec, chunkBytes = 1024 * 1024): Generator<Buffer> {
  const rng = createPrng(`object/${spec.seed}/${spec.bytes}/${spec.infected}`);
  const at = spec.infected ? eicarOffset(spec.bytes) : -1;
  for (let pos = 0; pos < spec.bytes; pos += chunkBytes) {
    const chunk = rng.fill(Buffer.allocUnsafe(Math.min(chunkBytes, spec.bytes - pos)));
    if (at >= 0 && at < pos + chunk.length && at + EICAR_BYTES.length > pos) {
      const from = Math.max(0, pos - at);
      EICAR_BYTES.copy(chunk, Math.max(0, at - pos), from, Math.min(EICAR_BYTES.length, from + chunk.length));
    }
    yield chunk;
  }
}

/** Writes the object to a local file. */
export async function writeObjectFile(path: string, spec: ObjectSpec): Promise<void> {
  const out = createWriteStream(path);
  for (const chunk of objectChunks(spec)) {
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
