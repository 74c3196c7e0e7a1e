/**
 * The two databases the benchmark loads: the small test database (only the test signatures) and a
 * synthetic one sized like ClamAV's official databases, generated from a seed so that every run
 * loads the same bytes. The synthetic signatures are random: they never match real data, they only
 * cost what real signatures of the same kinds cost to load, hold and match against.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { testDatabase } from "../local/signatures";
import { createPrng, type Prng } from "./prng";

/** What goes into a synthetic database. */
export interface DatabaseSpec {
  /** Short name used in reports, e.g. `official-sized`. */
  name: string;
  /** Random whole-file MD5 signatures (`.hdb`). */
  hdb: number;
  /** Random body patterns (`.ndb`) of {@link NDB_MIN_BYTES}-{@link NDB_MAX_BYTES} bytes. */
  ndb: number;
  /** Seed of the generator: same seed and counts, same files. */
  seed: string;
}

/** Only the test signatures: what local mode and the tests load. */
export const TEST_DATABASE: DatabaseSpec = { name: "test", hdb: 0, ndb: 0, seed: "" };

/**
 * Sized so that loading it costs about what the official main+daily+bytecode databases are
 * reported to cost (15-30 s, 1-1.5 GB). The shared notes measured 2,000,000 hdb + 100,000 "any
 * type" ndb at 2.8 s / 297 MB here. Typed patterns cost far more to hold (one trie per file type),
 * so 500,000 of them bring memory to the official range; 3,000,000 hashes add the parsing time.
 * Measured while developing: ~16 s and ~1.4 GB in clamscan. bench/results.md says what the run got.
 */
export const OFFICIAL_SIZED_DATABASE: DatabaseSpec = {
  name: "official-sized",
  hdb: 3_000_000,
  ndb: 500_000,
  seed: "bucketwarden-bench-v1",
};

export const NDB_MIN_BYTES = 16;
export const NDB_MAX_BYTES = 32;
/**
 * The size field of random `.hdb` lines. The engine keeps one hash-table entry per distinct size, in
 * one allocation capped at 128 MiB: millions of distinct sizes (up to 16 MiB) failed to load at all,
 * so sizes stay within 1 MiB, where real samples crowd too.
 */
const HDB_SIZE_RANGE = [64, 1024 * 1024] as const;

function hex(rng: Prng, bytes: number): string {
  return rng.fill(Buffer.allocUnsafe(bytes)).toString("hex");
}

/** Lines of a synthetic `.hdb`: `md5:size:Name`. */
export function* hdbLines(count: number, rng: Prng): Generator<string> {
  for (let i = 0; i < count; i++) {
    yield `${hex(rng, 16)}:${rng.int(HDB_SIZE_RANGE[0], HDB_SIZE_RANGE[1])}:Bucketwarden.Synthetic.Hdb-${i}`;
  }
}

/**
 * ClamAV's file-type targets a body pattern can name (1 PE, 2 OLE2, 3 HTML, 4 mail, 5 graphics,
 * 6 ELF, 7 ASCII text, 9 Mach-O, 10 PDF, 11 Flash, 12 Java). Most real patterns name one, and the
 * engine matches a file only against the patterns of its own type plus the "any type" (0) ones.
 */
const NDB_TYPED_TARGETS = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12] as const;

/**
 * One pattern in this many targets "any type" (1,000 of the 500,000). Random patterns are far denser
 * in short prefixes than real ones (the engine's trie is only 2-3 bytes deep), so "any type" ones
 * cost much more per scanned byte than real ones: all 600,000 made a 100 MB scan 70x slower, and
 * 1 in 50 still held the engine to ~6 MB/s, slower than any report of the official database. 1 in
 * 500 keeps the per-byte cost near the test database's, which makes the 100 MB throughput target
 * (warm against raw clamd) harder, not easier. The typed ones still cost their load time and memory.
 */
export const NDB_ANY_TYPE_EVERY = 500;

/** Lines of a synthetic `.ndb`: `Name:Target:*:hex`, at any offset, like most body patterns. */
export function* ndbLines(count: number, rng: Prng): Generator<string> {
  for (let i = 0; i < count; i++) {
    const target =
      i % NDB_ANY_TYPE_EVERY === 0 ? 0 : NDB_TYPED_TARGETS[rng.int(0, NDB_TYPED_TARGETS.length - 1)];
    yield `Bucketwarden.Synthetic.Ndb-${i}:${target}:*:${hex(rng, rng.int(NDB_MIN_BYTES, NDB_MAX_BYTES))}`;
  }
}

// Writing millions of short lines one by one is slow; batches of a few MB keep generation to seconds.
function writeLines(path: string, lines: Iterable<string>): void {
  const fd = openSync(path, "w");
  try {
    let batch: string[] = [];
    let batchChars = 0;
    for (const line of lines) {
      batch.push(line);
      batchChars += line.length + 1;
      if (batchChars > 4_000_000) {
        writeSync(fd, `${batch.join("\n")}\n`);
        batch = [];
        batchChars = 0;
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
}

/** A name for `spec` that changes whenever the bytes it generates would, for caching generated files. */
export function databaseKey(spec: DatabaseSpec): string {
  return `${spec.name}-${spec.hdb}-${spec.ndb}-${spec.seed || "none"}-any${NDB_ANY_TYPE_EVERY}`.replace(
    /[^\w.-]+/g,
    "_",
  );
}

/** A database written to a folder: its file names, ready to publish or to hand to clamd. */
export interface WrittenDatabase {
  spec: DatabaseSpec;
  dir: string;
  files: string[];
}

/**
 * Writes `spec` into `dir` (created if needed): the test signatures, then the synthetic `.hdb` and
 * `.ndb` when the spec asks for any. The `.hdb` and `.ndb` draw from separate generators, so
 * changing one count leaves the other file's bytes unchanged.
 */
export function writeDatabase(dir: string, spec: DatabaseSpec): WrittenDatabase {
  mkdirSync(dir, { recursive: true });
  // Local mode's test database, so that EICAR and clamav-testfiles are found with either database.
  const files: string[] = [];
  for (const file of testDatabase()) {
    writeFileSync(join(dir, file.name), file.content);
    files.push(file.name);
  }
  if (spec.hdb > 0) {
    writeLines(join(dir, "synthetic.hdb"), hdbLines(spec.hdb, createPrng(`${spec.seed}/hdb`)));
    files.push("synthetic.hdb");
  }
  if (spec.ndb > 0) {
    writeLines(join(dir, "synthetic.ndb"), ndbLines(spec.ndb, createPrng(`${spec.seed}/ndb`)));
    files.push("synthetic.ndb");
  }
  return { spec, dir, files };
}
