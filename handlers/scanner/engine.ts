/**
 * The resident engine: one clamd per execution environment, kept on the current definitions.
 * clamd loads from a symlink that is switched atomically to the new version's folder; after a
 * `RELOAD` the canary tells when the switch has taken effect. A failed reload or a dead clamd is
 * answered by a fresh start.
 */
import { rename, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { EngineError } from "../../core/errors";
import { Clamd, type EngineScan } from "../shared/clamd";
import { errorAttributes, type Log } from "../shared/logger";
import type { ToolResolver } from "../shared/tools";
import { canaryProbe, canaryVersion } from "./canary";
import type { LocalDefinitions } from "./definitions";

export interface ResidentEngineOptions {
  tools: ToolResolver;
  workDir: string;
  maxObjectBytes: number;
  /** clamd's `MaxScanTime`, derived from the scan timeout. */
  maxScanTimeMs: number;
  /** Reload beside the old engine; off where memory cannot hold two (core/sizing). */
  concurrentReload: boolean;
  startTimeoutMs: number;
  log: Log;
}

/** The engine surface the per-object pipeline needs. */
export interface ScanEngine {
  scan(body: AsyncIterable<Uint8Array>, timeoutMs: number): Promise<EngineScan>;
}

export class ResidentEngine implements ScanEngine {
  private readonly clamd: Clamd;
  private readonly dbLink: string;
  private active?: string;

  constructor(private readonly o: ResidentEngineOptions) {
    this.dbLink = join(o.workDir, "db");
    this.clamd = new Clamd({
      tools: o.tools,
      workDir: o.workDir,
      databaseDir: this.dbLink,
      maxObjectBytes: o.maxObjectBytes,
      maxScanTimeMs: o.maxScanTimeMs,
      concurrentReload: o.concurrentReload,
      startTimeoutMs: o.startTimeoutMs,
      log: o.log,
    });
  }

  /** clamd's pid while it runs. */
  get pid(): number | undefined {
    return this.clamd.pid;
  }

  /** The definitions version clamd has loaded, proven by the canary. */
  get activeVersion(): string | undefined {
    return this.clamd.running ? this.active : undefined;
  }

  /** Makes clamd run with `defs` loaded: started if needed, reloaded if it runs an older version. */
  async use(defs: LocalDefinitions): Promise<void> {
    if (this.clamd.running && this.active === defs.version) return;
    await this.pointAt(defs.dir);
    if (this.clamd.running) {
      const started = performance.now();
      try {
        const reply = await this.clamd.command("RELOAD");
        if (reply !== "RELOADING") throw new EngineError(`clamd answered RELOAD with "${reply}"`, reply);
        await this.waitForCanary(defs.version);
        this.active = defs.version;
        this.o.log.info("definitions reloaded", {
          definitionsVersion: defs.version,
          reloadMs: Math.round(performance.now() - started),
        });
        return;
      } catch (error) {
        this.o.log.warn("reload failed; restarting clamd", errorAttributes(error));
        await this.clamd.stop();
      }
    }
    this.active = undefined;
    await this.clamd.start();
    await this.waitForCanary(defs.version);
    this.active = defs.version;
  }

  scan(body: AsyncIterable<Uint8Array>, timeoutMs: number): Promise<EngineScan> {
    return this.clamd.scan(body, timeoutMs);
  }

  stop(): Promise<void> {
    this.active = undefined;
    return this.clamd.stop();
  }

  private async pointAt(dir: string): Promise<void> {
    const next = `${this.dbLink}.next`;
    await rm(next, { force: true });
    await symlink(dir, next);
    await rename(next, this.dbLink);
  }

  private async waitForCanary(version: string): Promise<void> {
    const deadline = Date.now() + this.o.startTimeoutMs;
    let seen: string | undefined;
    for (;;) {
      const { outcome } = await this.clamd.scan(oneChunk(canaryProbe(version)), 5000);
      seen = canaryVersion(outcome.signature);
      if (seen === version) return;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new EngineError(
      `clamd did not switch to definitions ${version} within ${this.o.startTimeoutMs} ms (canary says ${seen ?? "nothing"})`,
    );
  }
}

async function* oneChunk(data: Buffer): AsyncIterable<Uint8Array> {
  yield data;
}
