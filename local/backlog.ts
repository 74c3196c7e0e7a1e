/**
 * Local mode's S3 Batch Operations: the local store has none, so the runner lists the bucket into a
 * manifest and invokes the scanner's batch entry point (handlers/scanner/batch-operations.ts) with
 * the schema 2.0 event Batch Operations sends, one task per invocation as Batch Operations does, in
 * execution environments of its own that stay warm between invocations. Each task's result goes to a
 * completion report (CSV) as it comes back, so a run that stops (runner stopped, crashed) resumes
 * where it stood: the next runner reads the manifest and the report and does what is left.
 *
 * A run lives in `<runs dir>/<id>/`: `run.json` (request, state), `manifest.csv`, `report.csv`.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { GetObjectTaggingCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BacklogJob, BacklogProgress, BacklogRequest, BacklogSummary } from "../cli/backend";
import type { BatchOperationsResponse } from "../core/batch-operations";
import { BatchResultCode } from "../core/batch-operations";
import type { TagSchema } from "../core/tags";
import {
  batchEvent,
  entryIdentity,
  type ManifestEntry,
  manifestLine,
  parseManifestLine,
  parseReportLine,
  reportLine,
  summarize,
  verdictOfResult,
} from "./backlog-report";
import type { FunctionPool } from "./lambda/pool";
import { listObjectVersions } from "./list-versions";
import type { Logger } from "./log";
import { writeJsonFile } from "./pipeline";
import { unscannedObjects } from "./reconcile";

/** Batch Operations' job status words, which the CLI shows as they are. */
export const RunStates = {
  Preparing: "Preparing",
  Active: "Active",
  Complete: "Complete",
  Failed: "Failed",
} as const;
export type RunState = (typeof RunStates)[keyof typeof RunStates];

/** `run.json`. */
export interface RunRecord {
  id: string;
  request: BacklogRequest;
  createdAt: string;
  state: RunState;
  total?: number;
  finishedAt?: string;
  error?: string;
}

/** What `GET /backlog/<id>` answers. */
export interface RunView {
  job: BacklogJob;
  progress: BacklogProgress;
  /** Present once the run has ended. */
  summary?: BacklogSummary;
  error?: string;
}

export interface BacklogRunnerOptions {
  runsDir: string;
  /** The batch entry point's execution environments, started on first use and kept warm. */
  pool: () => Promise<FunctionPool>;
  /** Lists buckets (the bucket owner's client). */
  lister: S3Client;
  /** Reads verdict tags (the scanner's client). */
  tagReader: S3Client;
  tags: TagSchema;
  log: Logger;
  /** Attempts per task before a TemporaryFailure counts as failed (Batch Operations retries too). @default 3 */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt. @default 1000 */
  retryBaseMs?: number;
  /** Called for every task result, e.g. to say when a rescan flips an object to infected. */
  onResult?: (
    run: RunRecord,
    entry: ManifestEntry,
    result: { resultCode: string; resultString: string },
  ) => void;
}

interface LiveRun {
  record: RunRecord;
  done: Map<string, { resultCode: string; resultString: string }>;
  finished: Promise<void>;
}

export class BacklogRunner {
  private readonly runs = new Map<string, LiveRun>();
  /** Runs go one after another: they share the environments, and each can use all of them. */
  private chain: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly o: BacklogRunnerOptions) {
    mkdirSync(o.runsDir, { recursive: true });
  }

  private dir(id: string): string {
    return `${this.o.runsDir}/${id}`;
  }

  reportFile(id: string): string {
    return `${this.dir(id)}/report.csv`;
  }

  /** Picks up the runs a previous runner left unfinished. */
  resumeUnfinished(): string[] {
    const resumed: string[] = [];
    for (const id of readdirSync(this.o.runsDir)) {
      const file = `${this.dir(id)}/run.json`;
      if (!existsSync(file) || this.runs.has(id)) continue;
      const record = JSON.parse(readFileSync(file, "utf8")) as RunRecord;
      if (record.state === RunStates.Complete || record.state === RunStates.Failed) continue;
      this.launch(record);
      resumed.push(id);
    }
    return resumed;
  }

  /** Starts a run, or returns the unfinished one for the same kind of run on the same bucket. */
  start(request: BacklogRequest): BacklogJob {
    const unfinished = [...this.runs.values()].find(
      (r) =>
        r.record.request.bucket === request.bucket &&
        r.record.request.kind === request.kind &&
        (r.record.state === RunStates.Preparing || r.record.state === RunStates.Active),
    );
    if (unfinished) return { id: unfinished.record.id, request: unfinished.record.request, resumed: true };
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
    const record: RunRecord = {
      id: `${stamp}-${request.kind}-${randomUUID().slice(0, 8)}`,
      request,
      createdAt: new Date().toISOString(),
      state: RunStates.Preparing,
    };
    mkdirSync(this.dir(record.id), { recursive: true });
    this.save(record);
    this.launch(record);
    return { id: record.id, request, resumed: false };
  }

  /** Where run `id` stands, or undefined if there is no such run. */
  view(id: string): RunView | undefined {
    let live = this.runs.get(id);
    if (!live) {
      const file = `${this.dir(id)}/run.json`;
      if (!/^[\w-]+$/.test(id) || !existsSync(file)) return undefined;
      live = {
        record: JSON.parse(readFileSync(file, "utf8")) as RunRecord,
        done: this.readReport(id),
        finished: Promise.resolve(),
      };
    }
    const { record, done } = live;
    const results = [...done.values()];
    const ended = record.state === RunStates.Complete || record.state === RunStates.Failed;
    return {
      job: { id: record.id, request: record.request, resumed: false },
      progress: {
        total: record.total,
        processed: results.length,
        failed: results.filter((r) => r.resultCode !== BatchResultCode.Succeeded).length,
        status: record.state,
      },
      ...(ended ? { summary: summarize(results, this.reportFile(id)) } : {}),
      ...(record.error ? { error: record.error } : {}),
    };
  }

  /** Unfinished runs, for `status`; only those on `bucket` when given. */
  unfinished(bucket?: string): RunView[] {
    return [...this.runs.values()]
      .filter((r) => r.record.state === RunStates.Preparing || r.record.state === RunStates.Active)
      .filter((r) => bucket === undefined || r.record.request.bucket === bucket)
      .flatMap((r) => this.view(r.record.id) ?? []);
  }

  /** Stops taking tasks; a run in progress stays unfinished on disk and resumes with the next runner. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.chain;
  }

  /** Runs `fn` between runs, when no run uses the environments. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn);
    this.chain = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  /** Resolves when run `id` has ended (or the runner stops). */
  async settled(id: string): Promise<void> {
    await this.runs.get(id)?.finished;
  }

  private save(record: RunRecord): void {
    writeJsonFile(`${this.dir(record.id)}/run.json`, record);
  }

  private readReport(id: string): Map<string, { resultCode: string; resultString: string }> {
    const done = new Map<string, { resultCode: string; resultString: string }>();
    const file = this.reportFile(id);
    if (!existsSync(file)) return done;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line) continue;
      const { entry, resultCode, resultString } = parseReportLine(line);
      done.set(entryIdentity(entry), { resultCode, resultString });
    }
    return done;
  }

  private launch(record: RunRecord): void {
    const live: LiveRun = { record, done: this.readReport(record.id), finished: Promise.resolve() };
    this.runs.set(record.id, live);
    live.finished = this.chain = this.chain.then(() =>
      this.execute(live).catch((e) => {
        record.state = RunStates.Failed;
        record.error = (e as Error).message;
        record.finishedAt = new Date().toISOString();
        this.save(record);
        this.o.log.error("backlog run failed", { run: record.id, error: record.error });
      }),
    );
  }

  private async execute(live: LiveRun): Promise<void> {
    const { record } = live;
    if (this.stopping) return;
    const manifestFile = `${this.dir(record.id)}/manifest.csv`;
    if (record.state === RunStates.Preparing || !existsSync(manifestFile)) {
      const entries = await this.list(record.request);
      writeFileSync(manifestFile, entries.map((e) => `${manifestLine(e)}\n`).join(""));
      record.total = entries.length;
      record.state = RunStates.Active;
      this.save(record);
      this.o.log.info("backlog run listed its objects", {
        run: record.id,
        ...record.request,
        total: entries.length,
      });
    }
    const manifest = readFileSync(manifestFile, "utf8")
      .split("\n")
      .filter((l) => l)
      .map(parseManifestLine);
    const todo = manifest.filter((e) => !live.done.has(entryIdentity(e)));
    const pool = await this.o.pool();
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !this.stopping) {
        const entry = todo[next++];
        const result = await this.runTask(record, entry, pool);
        if (!result) return; // stopping: the task stays in the manifest, not the report
        appendFileSync(this.reportFile(record.id), `${reportLine(entry, result)}\n`);
        live.done.set(entryIdentity(entry), result);
        this.o.onResult?.(record, entry, result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, pool.available) }, worker));
    if (this.stopping) return;
    record.state = RunStates.Complete;
    record.finishedAt = new Date().toISOString();
    this.save(record);
    const summary = summarize(live.done.values(), this.reportFile(record.id));
    this.o.log.info("backlog run complete", { run: record.id, ...record.request, ...summary });
  }

  /** One task through the batch entry point, retried while it fails temporarily. */
  private async runTask(
    record: RunRecord,
    entry: ManifestEntry,
    pool: FunctionPool,
  ): Promise<{ resultCode: string; resultString: string } | undefined> {
    const maxAttempts = this.o.maxAttempts ?? 3;
    let last = {
      resultCode: BatchResultCode.TemporaryFailure as string,
      resultString: "failed:not attempted",
    };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.stopping) return undefined;
      const taskId = randomUUID();
      const invocation = await pool.invoke(
        batchEvent(record.id, randomUUID(), record.request.kind, [{ ...entry, taskId }]),
      );
      if (invocation.error) {
        last = {
          resultCode: BatchResultCode.TemporaryFailure,
          resultString: `failed:${invocation.error.errorType}: ${invocation.error.errorMessage}`,
        };
      } else {
        const response = invocation.response as BatchOperationsResponse;
        const r = response?.results?.find((x) => x.taskId === taskId);
        last = r
          ? { resultCode: r.resultCode, resultString: r.resultString }
          : { resultCode: BatchResultCode.PermanentFailure, resultString: "failed:no result for the task" };
      }
      if (last.resultCode !== BatchResultCode.TemporaryFailure) return last;
      if (attempt < maxAttempts) await sleep((this.o.retryBaseMs ?? 1000) * 2 ** (attempt - 1));
    }
    return last;
  }

  /** The run's manifest: versions without a verdict (scan-existing), or versions created in the window (rescan). */
  private async list(request: BacklogRequest): Promise<ManifestEntry[]> {
    const { lister, tagReader, tags } = this.o;
    if (request.kind === "scan-existing") {
      const found = await unscannedObjects({
        lister,
        tagReader,
        bucket: request.bucket,
        tags,
        settled: new Set(),
      });
      return found.map((o) => ({
        bucket: o.bucket,
        key: o.key,
        ...(o.versionId ? { versionId: o.versionId } : {}),
      }));
    }
    const after = request.sinceMs === undefined ? 0 : Date.now() - request.sinceMs;
    return (await listObjectVersions(lister, request.bucket))
      .filter((v) => v.modified >= after)
      .map(({ bucket, key, versionId }) => ({ bucket, key, ...(versionId ? { versionId } : {}) }));
  }
}

/** The verdict word `status` counts an object version under, from its tags. */
export function verdictCategory(
  tags: ReadonlyArray<{ Key?: string; Value?: string }>,
  schema: TagSchema,
): "clean" | "infected" | "unscannable" | "pending" | "none" {
  const verdict = tags.find((t) => t.Key === schema.key)?.Value;
  if (verdict === schema.cleanValue) return "clean";
  if (verdict === schema.infectedValue) {
    const result = tags.find((t) => t.Key === schema.resultKey)?.Value ?? "";
    return verdictOfResult(result) === "unscannable" ? "unscannable" : "infected";
  }
  const pending = (schema as TagSchema & { pendingValue?: string }).pendingValue ?? "pending";
  return verdict === pending ? "pending" : "none";
}

/** Object versions of `bucket` by verdict category. */
export async function countVerdicts(
  lister: S3Client,
  tagReader: S3Client,
  bucket: string,
  schema: TagSchema,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = { clean: 0, infected: 0, unscannable: 0, pending: 0, none: 0 };
  const versions = await listObjectVersions(lister, bucket);
  let next = 0;
  const worker = async () => {
    while (next < versions.length) {
      const v = versions[next++];
      try {
        const { TagSet = [] } = await tagReader.send(
          new GetObjectTaggingCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }),
        );
        counts[verdictCategory(TagSet, schema)]++;
      } catch (e) {
        // Deleted since it was listed.
        if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return counts;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
