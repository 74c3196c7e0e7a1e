/**
 * Peaks of one benchmark case: the memory of named processes and the disk use of named folders,
 * sampled on a timer while the case runs. The processes are looked up on every tick, because some
 * (clamscan) start and end within the case.
 */
import { diskUsage, readProcessMemory, resetPeakMemory } from "./proc";

export interface SamplerTargets {
  /** The processes to watch, by name; a name whose pid is `undefined` is not running now. */
  processes?: () => Record<string, number | undefined>;
  /** The folders to watch, by name. */
  dirs?: Record<string, string>;
}

export interface Peaks {
  /** Highest resident memory seen per process name, in bytes. */
  memoryBytes: Record<string, number>;
  /**
   * Highest anonymous resident memory sampled per process name, in bytes. The kernel keeps no peak
   * of it, so a spike shorter than the interval can be missed.
   */
  anonBytes: Record<string, number>;
  /** Highest disk use seen per folder name, in bytes. */
  diskBytes: Record<string, number>;
  /** Disk use per folder name when the case started, in bytes. */
  diskBaselineBytes: Record<string, number>;
}

export class PeakSampler {
  private timer?: NodeJS.Timeout;
  private peaks: Peaks = { memoryBytes: {}, anonBytes: {}, diskBytes: {}, diskBaselineBytes: {} };

  constructor(
    private readonly targets: SamplerTargets,
    /** Short enough to see a 1 MB spool file that lives for a few milliseconds only some of the time. */
    private readonly intervalMs = 10,
  ) {}

  /** Restarts the processes' high-water marks and starts sampling. */
  start(): void {
    this.stop();
    this.peaks = { memoryBytes: {}, anonBytes: {}, diskBytes: {}, diskBaselineBytes: {} };
    for (const pid of Object.values(this.targets.processes?.() ?? {})) {
      if (pid !== undefined) resetPeakMemory(pid);
    }
    for (const [name, dir] of Object.entries(this.targets.dirs ?? {})) {
      this.peaks.diskBaselineBytes[name] = diskUsage(dir);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Takes one more sample now; call it right before a watched process is expected to exit. */
  sample(): void {
    for (const [name, pid] of Object.entries(this.targets.processes?.() ?? {})) {
      if (pid === undefined) continue;
      const mem = readProcessMemory(pid);
      if (mem === undefined) continue;
      const seen = Math.max(mem.peakBytes, mem.rssBytes);
      this.peaks.memoryBytes[name] = Math.max(this.peaks.memoryBytes[name] ?? 0, seen);
      this.peaks.anonBytes[name] = Math.max(this.peaks.anonBytes[name] ?? 0, mem.anonBytes);
    }
    for (const [name, dir] of Object.entries(this.targets.dirs ?? {})) {
      this.peaks.diskBytes[name] = Math.max(this.peaks.diskBytes[name] ?? 0, diskUsage(dir));
    }
  }

  /** Stops sampling and returns the peaks seen since {@link start}. */
  stop(): Peaks {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.sample();
    }
    return this.peaks;
  }
}
