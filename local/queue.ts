/**
 * The runner's durable queue: what SQS is on AWS. The store's notifications are acknowledged only
 * after they are written here (and flushed to disk), so a runner that dies loses nothing: the next
 * runner replays the journal. Delivery is at least once, like SQS; the scanner is idempotent.
 *
 * The journal is an append-only file of JSON lines (`add`, `retry`, `del`), compacted to the pending
 * items when it opens and whenever finished entries dominate it.
 */
import { randomUUID } from "node:crypto";
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import type { ObjectRef } from "../core/events";
import { JournalError } from "./errors";

/** The object an item is about, for de-duplication and logs. */
export type QueuedObject = Pick<ObjectRef, "bucket" | "key" | "versionId" | "eTag" | "size">;

export interface QueueItem {
  /** Doubles as the SQS message id the scanner reports in `batchItemFailures`. */
  id: string;
  /** The S3 event record, as delivered: the message body is `{"Records":[record]}`. */
  record: unknown;
  object: QueuedObject;
  /** Where the item came from: the store's notification, or the runner's listing of the bucket. */
  source: "notification" | "reconcile";
  enqueuedAt: number;
  /** Failed attempts so far. */
  attempts: number;
  /** Not to be handed out before this time (retry backoff). */
  notBefore: number;
  lastError?: string;
  /** Its last failure took a whole invocation down, so it is retried alone to find the culprit. */
  solo?: boolean;
}

type JournalEntry =
  | { op: "add"; item: QueueItem }
  | { op: "retry"; id: string; attempts: number; notBefore: number; error: string; solo: boolean }
  | { op: "del"; id: string };

/** Items naming the same version (or, unversioned, the same content) are one piece of work. */
export function objectIdentity(o: QueuedObject): string {
  return JSON.stringify([o.bucket, o.key, o.versionId ?? o.eTag ?? ""]);
}

export class DurableQueue {
  private readonly pending = new Map<string, QueueItem>();
  private readonly inFlight = new Set<string>();
  private readonly identities = new Map<string, string>();
  private fd: number;
  private finishedSinceCompaction = 0;

  /** Opens (or creates) the journal at `file`, replaying what a previous runner left. */
  constructor(private readonly file: string) {
    if (existsSync(file)) {
      for (const entry of readJournal(file)) this.apply(entry);
    }
    this.fd = this.compact();
  }

  /** Items waiting or being worked on. */
  get size(): number {
    return this.pending.size;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** True when an item for this object is already queued or in flight. */
  has(object: QueuedObject): boolean {
    return this.identities.has(objectIdentity(object));
  }

  /**
   * Adds work and flushes it to disk before returning, so the caller may acknowledge the delivery.
   * Objects already queued are skipped (a redelivered notification, or one the listing also found).
   */
  add(
    entries: ReadonlyArray<Pick<QueueItem, "record" | "object" | "source">>,
    now = Date.now(),
  ): QueueItem[] {
    const added: QueueItem[] = [];
    for (const e of entries) {
      if (this.has(e.object)) continue;
      const item: QueueItem = { ...e, id: randomUUID(), enqueuedAt: now, attempts: 0, notBefore: now };
      this.apply({ op: "add", item });
      added.push(item);
    }
    if (added.length > 0)
      this.write(
        added.map((item) => ({ op: "add", item })),
        true,
      );
    return added;
  }

  /**
   * Hands out up to `max` items that are due, oldest first, and marks them in flight. An item that
   * must be retried alone comes out alone.
   */
  take(max: number, now = Date.now()): QueueItem[] {
    const due = [...this.pending.values()]
      .filter((i) => !this.inFlight.has(i.id) && i.notBefore <= now)
      .sort((a, b) => a.notBefore - b.notBefore || a.enqueuedAt - b.enqueuedAt);
    const solo = due.find((i) => i.solo);
    const batch = solo ? [solo] : due.filter((i) => !i.solo).slice(0, max);
    for (const i of batch) this.inFlight.add(i.id);
    return batch;
  }

  /** When the next item not in flight becomes due, or `undefined` when none waits. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const i of this.pending.values()) {
      if (!this.inFlight.has(i.id) && (next === undefined || i.notBefore < next)) next = i.notBefore;
    }
    return next;
  }

  /** Work finished (a verdict, or given up on): forget it. */
  remove(ids: readonly string[]): void {
    const known = ids.filter((id) => this.pending.has(id));
    for (const id of known) this.apply({ op: "del", id });
    // Not flushed: if this is lost, the item runs again, and the scanner skips what it already tagged.
    this.write(
      known.map((id) => ({ op: "del", id })),
      false,
    );
    this.finishedSinceCompaction += known.length;
    if (this.finishedSinceCompaction > 1000 && this.finishedSinceCompaction > 2 * this.pending.size) {
      closeSync(this.fd);
      this.fd = this.compact();
    }
  }

  /** Puts an item back to be handed out again at `notBefore`, counting the failed attempt. */
  retry(id: string, notBefore: number, error: string, solo: boolean): QueueItem | undefined {
    const item = this.pending.get(id);
    if (!item) return undefined;
    const entry: JournalEntry = { op: "retry", id, attempts: item.attempts + 1, notBefore, error, solo };
    this.apply(entry);
    this.write([entry], false);
    return this.pending.get(id);
  }

  /** Items currently pending, in flight or not (a copy, for status pages and tests). */
  items(): QueueItem[] {
    return [...this.pending.values()].map((i) => ({ ...i }));
  }

  close(): void {
    closeSync(this.fd);
  }

  private apply(entry: JournalEntry): void {
    switch (entry.op) {
      case "add":
        this.pending.set(entry.item.id, entry.item);
        this.identities.set(objectIdentity(entry.item.object), entry.item.id);
        return;
      case "retry": {
        const item = this.pending.get(entry.id);
        if (!item) return;
        Object.assign(item, {
          attempts: entry.attempts,
          notBefore: entry.notBefore,
          lastError: entry.error,
          solo: entry.solo,
        });
        this.inFlight.delete(entry.id);
        return;
      }
      case "del": {
        const item = this.pending.get(entry.id);
        if (!item) return;
        this.pending.delete(entry.id);
        this.inFlight.delete(entry.id);
        this.identities.delete(objectIdentity(item.object));
        return;
      }
    }
  }

  private write(entries: readonly JournalEntry[], flush: boolean): void {
    if (entries.length === 0) return;
    writeSync(this.fd, entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
    if (flush) fdatasyncSync(this.fd);
  }

  /** Rewrites the journal as the pending items alone (atomically, via rename) and opens it for appending. */
  private compact(): number {
    const tmp = `${this.file}.tmp`;
    const lines = [...this.pending.values()].map((item) => `${JSON.stringify({ op: "add", item })}\n`);
    writeFileSync(tmp, lines.join(""));
    const t = openSync(tmp, "r+");
    fdatasyncSync(t);
    closeSync(t);
    renameSync(tmp, this.file);
    this.finishedSinceCompaction = 0;
    return openSync(this.file, "a");
  }
}

/** The entries of a journal; a last line cut short by a crash mid-write is ignored. */
function readJournal(file: string): JournalEntry[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const entries: JournalEntry[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (cause) {
      if (i >= lines.length - 2) break;
      throw new JournalError(file, `corrupt at line ${i + 1}`, { cause });
    }
  }
  return entries;
}
