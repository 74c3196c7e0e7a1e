/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32), so the synthetic
 * database and the test objects are the same bytes on every run and every machine. `Math.random`
 * cannot be seeded, and `crypto.randomBytes` is not reproducible.
 */

/** A reproducible stream of random numbers. */
export interface Prng {
  /** The next 32-bit unsigned integer. */
  nextU32(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** Fills `target` with random bytes and returns it. */
  fill(target: Buffer): Buffer;
}

// FNV-1a folds the text seed into 32 bits; splitmix32 then spreads it over the 128-bit state, which
// xoshiro requires to be not all zero.
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) >>> 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A generator whose whole output is determined by `seed`. */
export function createPrng(seed: string): Prng {
  const sm = { s: fnv1a(seed) };
  let a = splitmix32(sm);
  let b = splitmix32(sm);
  let c = splitmix32(sm);
  let d = splitmix32(sm);

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  return {
    nextU32,
    int(min, max) {
      // Multiply-shift instead of modulo: no bias worth measuring for the ranges used here.
      return min + Math.floor((nextU32() / 0x1_0000_0000) * (max - min + 1));
    },
    fill(target) {
      let i = 0;
      if (LITTLE_ENDIAN && target.byteOffset % 4 === 0) {
        // Same bytes as the loop below, several times faster for the 100 MB objects.
        const words = new Uint32Array(target.buffer, target.byteOffset, target.length >>> 2);
        for (let w = 0; w < words.length; w++) words[w] = nextU32();
        i = words.length * 4;
      }
      for (; i + 4 <= target.length; i += 4) target.writeUInt32LE(nextU32(), i);
      if (i < target.length) {
        const last = nextU32();
        for (let j = 0; i < target.length; i++, j++) target[i] = (last >>> (8 * j)) & 0xff;
      }
      return target;
    },
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
