/**
 * What a person sees while a backlog run goes on and when it ends: a bar with rate and ETA on a
 * terminal, one plain line per update otherwise, and the summary. Pure: the clock is passed in.
 */
import type { BacklogJob, BacklogProgress, BacklogSummary, BucketStatus } from "./backend";
import { formatDuration } from "./duration";

/** Objects per second over the last `windowMs`, from the progress samples it is given. */
export class RateMeter {
  private readonly samples: Array<{ at: number; processed: number }> = [];

  constructor(private readonly windowMs = 30_000) {}

  /** Records that `processed` objects were done at time `at` (ms). */
  add(at: number, processed: number): void {
    this.samples.push({ at, processed });
    // Keep one sample older than the window, so the rate spans the whole window.
    while (this.samples.length > 2 && this.samples[1].at <= at - this.windowMs) this.samples.shift();
  }

  /** Objects per second; undefined until two samples a moment apart exist. */
  rate(): number | undefined {
    if (this.samples.length < 2) return undefined;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, last.processed - first.processed) / seconds : undefined;
  }
}

/** Milliseconds left at `rate` objects/s, or undefined when it cannot be told. */
export function etaMs(p: BacklogProgress, rate: number | undefined): number | undefined {
  if (p.total === undefined || rate === undefined || rate <= 0) return undefined;
  return (Math.max(0, p.total - p.processed) / rate) * 1000;
}

function rateText(rate: number | undefined): string {
  return rate === undefined ? "-- obj/s" : `${rate < 10 ? rate.toFixed(1) : Math.round(rate)} obj/s`;
}

function countText(p: BacklogProgress): string {
  const failed = p.failed > 0 ? `, ${p.failed} failed` : "";
  return p.total === undefined ? `${p.processed}/?${failed}` : `${p.processed}/${p.total}${failed}`;
}

function percent(p: BacklogProgress): number | undefined {
  if (p.total === undefined) return undefined;
  return p.total === 0 ? 100 : Math.min(100, Math.floor((p.processed / p.total) * 100));
}

/** One terminal line, redrawn in place: `[#####-----]  50% 120/240  12 obj/s  ETA 10s  Active`. */
export function progressBar(p: BacklogProgress, rate: number | undefined, width = 30): string {
  const pc = percent(p);
  const filled = pc === undefined ? 0 : Math.round((pc / 100) * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  const eta = etaMs(p, rate);
  return [
    bar,
    `${pc === undefined ? "  ?" : String(pc).padStart(3)}%`,
    countText(p),
    rateText(rate),
    `ETA ${eta === undefined ? "?" : formatDuration(eta)}`,
    p.status,
  ].join("  ");
}

/** One line of a log when output is not a terminal. */
export function progressLine(p: BacklogProgress, rate: number | undefined): string {
  const pc = percent(p);
  const eta = etaMs(p, rate);
  return [
    `progress: ${countText(p)}${pc === undefined ? "" : ` (${pc}%)`}`,
    rateText(rate),
    `ETA ${eta === undefined ? "unknown" : formatDuration(eta)}`,
    `status ${p.status}`,
  ].join(", ");
}

/** The first line printed for a run: started or resumed, and its id. */
export function startedText(job: BacklogJob): string {
  const what = job.request.kind === "rescan" ? "rescan" : "backlog scan";
  return job.resumed
    ? `Following the unfinished ${what} of ${job.request.bucket} (run ${job.id}), resumed where it stood.`
    : `Started the ${what} of ${job.request.bucket} (run ${job.id}).`;
}

/** The summary printed when a run ends. */
export function summaryText(s: BacklogSummary, elapsedMs?: number): string {
  const rows: Array<[string, number | string]> = [
    ["scanned", s.scanned],
    ["clean", s.clean],
    ["infected", s.infected],
    ["unscannable", s.unscannable],
    ...(s.alreadyScanned > 0
      ? [["kept", `${s.alreadyScanned} (verdict already from the current definitions)`] as [string, string]]
      : []),
    ["failed", s.failed],
    ["report", s.report],
  ];
  const head = elapsedMs === undefined ? "Done." : `Done in ${formatDuration(elapsedMs)}.`;
  return [head, ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(13)}${v}`)].join("\n");
}

/** What `status` prints. */
export function statusText(s: BucketStatus): string {
  const order = ["clean", "infected", "unscannable", "pending", "none"];
  const keys = [
    ...order.filter((k) => k in s.counts),
    ...Object.keys(s.counts).filter((k) => !order.includes(k)),
  ];
  const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
  const lines = [
    `${s.bucket}: ${total} object version(s)`,
    ...keys.map((k) => `  ${`${k}:`.padEnd(13)}${s.counts[k]}`),
    `definitions: ${s.definitionsVersion ?? "none published yet"}`,
  ];
  if (s.backlog.length === 0) lines.push("backlog: no unfinished run");
  else
    for (const b of s.backlog)
      lines.push(`backlog: ${progressLine(b, undefined).replace(/^progress: /, "")}`);
  return lines.join("\n");
}
