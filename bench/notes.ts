/**
 * The method notes of a run: what each way does, how memory and /tmp were read, and what the
 * measured numbers imply (the /tmp spool, the cost basis). Written from the run's own numbers so
 * that the report never states something the run did not show.
 */
import { DEFAULT_SCANNER_MEMORY_MB } from "../core/sizing";
import { type DatabaseSpec, NDB_ANY_TYPE_EVERY } from "./database";
import type { StoreProbe } from "./store-probe";
import { type CaseRow, type DatabaseRow, Ways } from "./types";

export interface NotesInput {
  quick: boolean;
  official: DatabaseSpec;
  rows: readonly CaseRow[];
  databases: readonly DatabaseRow[];
  store: StoreProbe;
}

/**
 * A store answering small bodies this much slower than HEAD is holding them back: the Ceph gateway's
 * beast frontend without `tcp_nodelay` lets Nagle's algorithm wait for the client's delayed ACK (40 ms).
 */
const NAGLE_STALL_MS = 25;

export function benchNotes(i: NotesInput): string[] {
  const notes: string[] = [];
  if (i.quick) notes.push("**--quick run**: few samples and a tenth of the database. Not a result.");
  notes.push(
    `Official-sized database: ${i.official.hdb.toLocaleString("en-US")} random \`.hdb\` MD5 signatures and ` +
      `${i.official.ndb.toLocaleString("en-US")} random 16-32 byte \`.ndb\` body patterns (1 in ${NDB_ANY_TYPE_EVERY} ` +
      `for any file type, the rest spread over 11 file types, as most real patterns name one), generated from the ` +
      `seed "${i.official.seed}" (bench/database.ts), plus the EICAR and clam.exe test signatures. ` +
      "Loading it is meant to cost what the official main+daily+bytecode databases are reported to cost " +
      "(15-30 s, 1-1.5 GB); the Databases table says what it cost here. Random patterns never match real data, " +
      "so it says nothing about detection, only about load time, memory and per-byte matching cost.",
    "Objects: seeded random bytes, different for every sample (clamd caches clean results by hash); the odd " +
      "samples have the 68-byte EICAR string in the middle. Every verdict is checked; a wrong one stops the run.",
    `${Ways.seed}: per object, a fresh folder, every definitions file downloaded from the definitions bucket one ` +
      "after another (as the seed, bucket-antivirus-function and cdk-serverless-clamscan do on a cold invocation), " +
      "the object downloaded, `clamscan` run from the scanner layer with the scanner's limits, the tags read and written.",
    `${Ways.warm}: the built scanner bundle in one of local mode's execution environments (its own Node process, ` +
      "Lambda's environment variables and invocation protocol, a private /tmp), invoked with the SQS-wrapped S3 " +
      "event; latency is the invocation from event in to response out, after PutObjectTagging. The handler checks " +
      "the manifest at most once a minute (its default), so some samples include that conditional GET.",
    `${Ways.raw}: clamd from the same layer with the scanner's own clamd.conf and the database loaded, fed the ` +
      "object from local disk (page cache) over zINSTREAM in 64 KiB chunks by a bare client (bench/instream.ts).",
    "The three ways run interleaved, sample by sample, on the same objects, so load from other work on the " +
      "shared CPU falls on all of them alike. Objects go through the real Ceph S3 gateway on loopback for the " +
      "seed-style and warm ways; the gateway, its OSD and the engine share the machine's cores.",
    "Memory: the kernel's high-water mark (VmHWM) of each process, restarted per case by writing 5 to " +
      "/proc/PID/clear_refs, and VmRSS sampled every 10 ms. The figure in brackets beside the engine's peak is its " +
      "anonymous memory (RssAnon, sampled): the rest is the files it maps, its libraries mostly. The seed-style's " +
      "engine is clamscan, a new process per object; Node is measured only where a Node process scans (warm).",
  );
  const official = i.rows.filter((r) => r.database === i.databases[i.databases.length - 1]?.name);
  const largestOf = (way: string) =>
    official
      .filter((r) => r.way === way)
      .reduce<CaseRow | undefined>((a, b) => (a && a.bytes >= b.bytes ? a : b), undefined);
  const smallestOf = (way: string) =>
    official
      .filter((r) => r.way === way)
      .reduce<CaseRow | undefined>((a, b) => (a && a.bytes <= b.bytes ? a : b), undefined);
  const warm = largestOf(Ways.warm);
  if (warm?.tmpPeakMB !== undefined && warm.tmpBaselineMB !== undefined) {
    notes.push(
      "/tmp: clamd spools every INSTREAM to its TemporaryDirectory before scanning, so the scanner's /tmp grows by " +
        `the object's size while it is scanned: ${(warm.tmpPeakMB - warm.tmpBaselineMB).toFixed(0)} MB above the ` +
        `database's ${warm.tmpBaselineMB.toFixed(0)} MB for the ${warm.sizeLabel} object (${warm.database}). Node's ` +
        "memory does not grow (the body is streamed), but /tmp must hold the largest object: core/sizing's " +
        "requiredScannerStorageMb sizes Lambda's ephemeral storage for that.",
    );
  }
  const [rawSmall, rawLarge] = [smallestOf(Ways.raw), largestOf(Ways.raw)];
  if (rawSmall?.engineAnonPeakMB !== undefined && rawLarge?.engineAnonPeakMB !== undefined) {
    notes.push(
      `The engine's own memory grows with the object too: clamd's anonymous memory went from ` +
        `${rawSmall.engineAnonPeakMB.toFixed(0)} MB (${rawSmall.sizeLabel}) to ${rawLarge.engineAnonPeakMB.toFixed(0)} MB ` +
        `(${rawLarge.sizeLabel}). libclamav reads the file it scans into pages of its own (its fmap, "an mmap ` +
        'replacement") rather than mapping it; the three ways share this, since they run the same engine.',
    );
  }
  const stall = i.store.smallBodyMs - i.store.headMs;
  notes.push(
    `The store on this machine: HeadObject ${i.store.headMs.toFixed(1)} ms, GetObjectTagging ` +
      `${i.store.smallBodyMs.toFixed(1)} ms (p50 of 10), GET of 100 MB at ${i.store.get100MBps.toFixed(0)} MB/s.` +
      (stall > NAGLE_STALL_MS
        ? ` Answers with a body come ${stall.toFixed(0)} ms later than HEAD: the Ceph gateway's beast frontend runs ` +
          "without `tcp_nodelay`, so Nagle's algorithm holds the body until the client's delayed ACK (40 ms on " +
          "Linux). The warm path pays this twice per object (GetObjectTagging, the GetObject body) and the seed-style " +
          "once per file; AWS S3 does not behave so. `tcp_nodelay=1` on the `rgw frontends` line removes it " +
          "(tried on this machine while building the benchmark: ~48 ms to ~6 ms per call with a body)."
        : ""),
  );
  notes.push(
    `Cost: both Lambda ways billed at ${DEFAULT_SCANNER_MEMORY_MB} MB, the scanner's default memory ` +
      "(core/sizing: room for two engines during a reload), at the row's mean latency; the seed-style would need " +
      "at least one engine's memory too. arm64 prices are applied to durations measured on x86_64. Lambda gives " +
      "~1.9 vCPU at that size; here the engine had one of 2 shared cores.",
  );
  return notes;
}
