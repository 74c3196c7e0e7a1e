/** The shapes of what the benchmark measures and reports. */
import type { Summary } from "./stats";
import type { StoreProbe } from "./store-probe";

/** The three ways to scan, in the order the reports list them. */
export const Ways = {
  seed: "seed-style",
  warm: "bucketwarden warm",
  raw: "raw clamd",
} as const;
export type Way = (typeof Ways)[keyof typeof Ways];

/** What one sample of any way gives back. */
export interface Sample {
  /** Wall-clock time from the start of the work to its verdict (and tag, where there is one). */
  ms: number;
  /** Parts of `ms` where the way reports them, e.g. `definitionsMs`, `scanMs`. */
  phases?: Record<string, number>;
}

/** One row: a way, a database and an object size. */
export interface CaseRow {
  database: string;
  way: Way;
  sizeLabel: string;
  bytes: number;
  clean: number;
  infected: number;
  latencyMs: Summary;
  /** Object bytes per second at the median latency, in MB/s (MB = 2^20 bytes). */
  throughputMBps: number;
  phasesMs?: Record<string, Summary>;
  /** Peak resident memory of the scanner's Node process; absent where no Node process scans. */
  nodePeakMB?: number;
  /** Peak resident memory of the engine: clamd, or clamscan for the seed. */
  enginePeakMB?: number;
  /** The engine's highest sampled anonymous memory: its peak without the pages of files it maps. */
  engineAnonPeakMB?: number;
  /** Disk the way's scratch folder held at most during the case, and how much of that was there before. */
  tmpPeakMB?: number;
  tmpBaselineMB?: number;
  /** Memory the cost is computed at, and USD per 1,000 objects at the mean latency. */
  cost?: { memoryMb: number; lambdaX86: number; lambdaArm64: number };
  guardDuty: number;
}

/** What loading one database cost, and the scanner's cold start with it. */
export interface DatabaseRow {
  name: string;
  hdbSignatures: number;
  ndbSignatures: number;
  /** Bytes of the database files, as stored in the definitions bucket. */
  bytes: number;
  /** clamd started until it answered PING, database loaded. */
  clamdLoadMs: number;
  /** clamd's resident memory right after the load. */
  clamdRssMB: number;
  /** First invocations of new execution environments: init plus the first invocation. */
  coldStartMs: Summary;
  coldInitMs: Summary;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  ramGB: number;
  kernel: string;
  node: string;
  clamav: string;
  /** Load average (1, 5, 15 min) when the run started: the CPU is shared, and this says how much. */
  loadAverage: number[];
  /** The same when it ended. */
  loadAverageEnd?: number[];
}

export interface Targets {
  warmOverheadMs: { value: number; limit: number; met: boolean };
  speedupWarmVsSeed: { value: number; limit: number; met: boolean };
  throughputRatio100MB: { value: number; limit: number; met: boolean };
  /** Node's growth between the two largest sizes, as a share of the objects' growth. */
  flatNodeMemory: { from: string; to: string; growthMB: number; share: number; limit: number; met: boolean };
  /** What the scanner's `/tmp` held above the database while scanning the largest object, as a share of it. */
  flatTmp: { at: string; growthMB: number; share: number; limit: number; met: boolean };
}

export interface BenchResults {
  startedAt: string;
  durationS: number;
  /** A --quick trial: few samples, a tenth of the database. */
  quick: boolean;
  machine: Machine;
  /** seed-style p50 / warm p50, 1 KB, official-sized database. */
  speedupWarmVsSeed: number;
  /** warm p50 - raw clamd p50, 1 KB, official-sized database. */
  warmOverheadMs: number;
  targets: Targets;
  pricing: Record<string, unknown>;
  /** The S3 store's own latency and throughput, to tell the scanner's overhead from the store's. */
  store: StoreProbe;
  databases: DatabaseRow[];
  rows: CaseRow[];
  notes: string[];
}
