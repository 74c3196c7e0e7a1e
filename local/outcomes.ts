/**
 * How each object ends, written down: one line per object in the verdict log (the tags the scanner
 * wrote, read back), and for an object whose attempts ran out, an explicit error status: a line in
 * the verdict log with `"verdict":"error"` and the object in the dead-letter file, the local
 * counterpart of the SQS dead-letter queue. Such an object keeps no verdict, so it stays unreadable.
 */
import { appendFileSync } from "node:fs";
import { GetObjectTaggingCommand, type S3Client } from "@aws-sdk/client-s3";
import type { TagSchema } from "../core/tags";
import type { Settlement } from "./dispatcher";
import type { LineWriter, Logger } from "./log";

export const Verdicts = {
  clean: "clean",
  infected: "infected",
  /** The scanner succeeded but left no verdict (the object was deleted meanwhile, say). */
  none: "none",
  /** Every attempt failed: the object is in the dead-letter file. */
  error: "error",
} as const;
export type Verdict = (typeof Verdicts)[keyof typeof Verdicts];

/** One line of the verdict log. */
export interface VerdictLine {
  time: string;
  bucket: string;
  key: string;
  versionId?: string;
  verdict: Verdict;
  /** The scanner's result tag (status and signature), when there is one. */
  result?: string;
  attempts: number;
  /** From entering the queue to the verdict. */
  latencyMs: number;
  source: "notification" | "reconcile";
  error?: string;
}

/** One line of the dead-letter file. */
export interface DeadLetter {
  time: string;
  bucket: string;
  key: string;
  versionId?: string;
  attempts: number;
  error: string;
  /** The event record, to replay it by hand. */
  record: unknown;
}

export class Outcomes {
  deadLettered = 0;
  settledCount = 0;

  constructor(
    private readonly deps: {
      verdicts: LineWriter;
      deadLetterFile: string;
      /** Reads the scanner's tags back (the scanner's client: only it may read others' tags here). */
      tagReader: S3Client;
      tags: TagSchema;
      log: Logger;
    },
  ) {}

  /** Writes down how an item ended; resolves to the verdict written. */
  async record(s: Settlement): Promise<Verdict> {
    const { item } = s;
    const base = {
      time: new Date().toISOString(),
      bucket: item.object.bucket,
      key: item.object.key,
      ...(item.object.versionId ? { versionId: item.object.versionId } : {}),
    };
    this.settledCount++;
    if (s.kind === "dead-letter") {
      this.deadLettered++;
      const dead: DeadLetter = { ...base, attempts: item.attempts, error: s.error, record: item.record };
      // Synchronous: the queue has already forgotten the item, so this line is its only trace.
      appendFileSync(this.deps.deadLetterFile, `${JSON.stringify(dead)}\n`);
      this.write({
        ...base,
        verdict: Verdicts.error,
        attempts: item.attempts,
        latencyMs: latency(item.enqueuedAt),
        source: item.source,
        error: s.error,
      });
      this.deps.log.error("object dead-lettered: no verdict after every attempt", {
        ...base,
        error: s.error,
      });
      return Verdicts.error;
    }
    const { verdict, result } = await this.readVerdict(item.object);
    this.write({
      ...base,
      verdict,
      ...(result ? { result } : {}),
      attempts: item.attempts + 1,
      latencyMs: latency(item.enqueuedAt),
      source: item.source,
    });
    return verdict;
  }

  private async readVerdict(o: {
    bucket: string;
    key: string;
    versionId?: string;
  }): Promise<{ verdict: Verdict; result?: string }> {
    const { tags } = this.deps;
    try {
      const { TagSet = [] } = await this.deps.tagReader.send(
        new GetObjectTaggingCommand({ Bucket: o.bucket, Key: o.key, VersionId: o.versionId }),
      );
      const value = TagSet.find((t) => t.Key === tags.key)?.Value;
      const result = TagSet.find((t) => t.Key === tags.resultKey)?.Value;
      const verdict =
        value === tags.cleanValue
          ? Verdicts.clean
          : value === tags.infectedValue
            ? Verdicts.infected
            : Verdicts.none;
      return { verdict, result };
    } catch (e) {
      return { verdict: Verdicts.none, result: `tags unreadable: ${(e as Error).name}` };
    }
  }

  private write(line: VerdictLine): void {
    this.deps.verdicts.line(JSON.stringify(line));
  }
}

function latency(since: number): number {
  return Date.now() - since;
}
