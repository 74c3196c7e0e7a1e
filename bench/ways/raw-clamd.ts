/**
 * The limit: clamd with the database already loaded, fed the object straight from local disk. clamd
 * runs with the scanner's own configuration (`renderClamdConf` via the handlers' `Clamd`), so the two
 * differ only in what the scanner does around the engine.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ENGINE_MAX_OBJECT_BYTES, engineMaxScanTimeMs } from "../../core/handler-config";
import { parseClamdReply, type ScanOutcome } from "../../core/verdict";
import { Clamd } from "../../handlers/shared/clamd";
import type { ToolResolver } from "../../handlers/shared/tools";
import { instreamFile } from "../instream";
import { readProcessMemory } from "../proc";
import type { Sample } from "../types";

export class RawClamd {
  private constructor(
    private readonly clamd: Clamd,
    /** Folder holding clamd's socket, configuration and spool folder. */
    readonly workDir: string,
    /** From spawn until clamd answered PING with the database loaded. */
    readonly loadMs: number,
    /** Resident memory right after loading. */
    readonly rssBytes: number,
  ) {}

  /** Starts clamd on `databaseDir` and waits until it has loaded it. */
  static async start(tools: ToolResolver, databaseDir: string, workDir: string): Promise<RawClamd> {
    await mkdir(workDir, { recursive: true });
    const clamd = new Clamd({
      tools,
      workDir,
      databaseDir,
      maxObjectBytes: ENGINE_MAX_OBJECT_BYTES,
      // What the scanner derives from its default scan timeout.
      maxScanTimeMs: engineMaxScanTimeMs(300_000),
      startTimeoutMs: 600_000,
    });
    const started = performance.now();
    await clamd.start();
    const loadMs = performance.now() - started;
    const rss = clamd.pid === undefined ? undefined : readProcessMemory(clamd.pid)?.rssBytes;
    return new RawClamd(clamd, workDir, loadMs, rss ?? 0);
  }

  get pid(): number | undefined {
    return this.clamd.pid;
  }

  /** Where clamd spools streams before scanning them. */
  get spoolDir(): string {
    return join(this.workDir, "clamd-tmp");
  }

  /** Scans the file at `path` over INSTREAM. */
  async scan(path: string): Promise<Sample & { outcome: ScanOutcome }> {
    const started = performance.now();
    const reply = await instreamFile(this.clamd.socketPath, path);
    const ms = performance.now() - started;
    return { ms, outcome: parseClamdReply(reply) };
  }

  stop(): Promise<void> {
    return this.clamd.stop();
  }
}
