/**
 * bucketwarden warm: the real scanner bundle in one of local mode's execution environments (a Node
 * process of its own with Lambda's environment, `/tmp` and invocation protocol), invoked with the
 * SQS-wrapped S3 event Lambda would hand it. Its first invocation is the cold start; every later one
 * finds clamd resident with the database loaded.
 */

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { ExecutionEnvironment } from "../../local/lambda/environment";
import type { FunctionDefinition } from "../../local/lambda/function";
import { s3RecordFor, sqsEvent } from "../../local/sqs-event";
import { findDescendant, isClamd } from "../proc";
import type { Sample } from "../types";
import type { ObjectVersion } from "./seed-style";

export interface WarmScannerOptions {
  /** The scanner as local mode deploys it (`scannerFunction`): bundle, layer, environment, role. */
  fn: FunctionDefinition;
  /** The environment's `/tmp` goes below this; nothing else is put there, so its disk use is the scanner's. */
  tmpRoot: string;
}

/** What the handler logged about one object: its own split of the work. */
type VerdictLine = { durations?: Record<string, number>; verdict?: string };

export class WarmScanner {
  private readonly env: ExecutionEnvironment;
  private lastVerdict?: VerdictLine;
  private readonly created = performance.now();
  private invoked = false;
  private clamd?: number;

  constructor(private readonly o: WarmScannerOptions) {
    this.env = new ExecutionEnvironment(o.fn, {
      tmpRoot: o.tmpRoot,
      log: (line) => this.onLog(line),
      initializationType: "on-demand",
    });
  }

  /** Makes the folder the environment's `/tmp` goes in; call before constructing. */
  static async prepare(tmpRoot: string): Promise<void> {
    await rm(tmpRoot, { recursive: true, force: true });
    await mkdir(tmpRoot, { recursive: true });
  }

  get nodePid(): number | undefined {
    return this.env.pid;
  }

  /**
   * clamd, once the handler has started it. Looked up through /proc only when the last one known is
   * gone: the sampler asks every few milliseconds, and walking /proc that often would load the CPU.
   */
  clamdPid(): number | undefined {
    if (this.clamd !== undefined && existsSync(`/proc/${this.clamd}`)) return this.clamd;
    this.clamd = this.env.pid === undefined ? undefined : findDescendant(this.env.pid, isClamd);
    return this.clamd;
  }

  /**
   * Invokes the scanner for one object. The first call is the cold start: its `phases` give the
   * init (loading the bundle) and the whole time from creating the environment.
   */
  async scan(object: ObjectVersion): Promise<Sample & { verdict?: string }> {
    const cold = !this.invoked;
    this.invoked = true;
    await this.env.ready();
    const readyAt = performance.now();
    const event = sqsEvent(
      [
        {
          id: randomUUID(),
          record: s3RecordFor(object, this.o.fn.region, new Date()),
          object,
          source: "notification",
          enqueuedAt: Date.now(),
          attempts: 0,
          notBefore: 0,
        },
      ],
      this.o.fn.region,
      Date.now(),
    );
    this.lastVerdict = undefined;
    const started = performance.now();
    const result = await this.env.invoke(
      event,
      `arn:aws:lambda:${this.o.fn.region}:000000000000:function:bench`,
    );
    const ms = performance.now() - started;
    if (result.error)
      throw new Error(`scanner failed: ${result.error.errorType}: ${result.error.errorMessage}`);
    const failures = (result.response as { batchItemFailures?: unknown[] } | null)?.batchItemFailures ?? [];
    if (failures.length > 0)
      throw new Error(`scanner reported the object as failed: ${JSON.stringify(result.response)}`);
    // Set by the log callback while the invocation ran, which the compiler cannot see.
    const logged = this.lastVerdict as VerdictLine | undefined;
    const phases: Record<string, number> = { ...(logged?.durations ?? {}) };
    if (cold) {
      phases.initMs = this.env.initDurationMs ?? readyAt - this.created;
      phases.coldStartMs = performance.now() - this.created;
    }
    return { ms, phases, verdict: logged?.verdict };
  }

  close(): Promise<void> {
    return this.env.kill("benchmark done");
  }

  private onLog(line: string): void {
    if (!line.startsWith("{")) return;
    try {
      const entry = JSON.parse(line) as VerdictLine & { message?: string };
      if (entry.message === "verdict") this.lastVerdict = entry;
    } catch {
      // Not one of the handler's JSON lines.
    }
  }
}
