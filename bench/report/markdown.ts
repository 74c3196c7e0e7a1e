/**
 * `bench/results.md`: the headline, the targets (met or missed, by how much, and what the phases
 * say about why), the tables, and how the numbers were made. Generated; every number comes from
 * the run.
 */
import { GUARDDUTY_S3_PRICING, LAMBDA_PRICING } from "../cost";
import { type BenchResults, type CaseRow, Ways } from "../types";
import { CASE_HEADERS, caseCells, DATABASE_HEADERS, databaseCells, markdownTable } from "./table";

const f1 = (v: number) => v.toFixed(1);
const f0 = (v: number) => v.toFixed(0);
const signed = (v: number) => `${v >= 0 ? "+" : ""}${f1(v)}`;

function rowOf(res: BenchResults, database: string, way: string, size: string): CaseRow | undefined {
  return res.rows.find((r) => r.database === database && r.way === way && r.sizeLabel === size);
}

function phases(r: CaseRow | undefined): string {
  if (!r?.phasesMs) return "";
  return Object.entries(r.phasesMs)
    .filter(([name]) => name !== "coldStartMs" && name !== "initMs")
    .map(([name, s]) => `${name.replace(/Ms$/, "")} ${f1(s.p50)}`)
    .join(", ");
}

export function headline(res: BenchResults, official: string): string {
  const m = res.machine;
  const seed = rowOf(res, official, Ways.seed, "1 KB");
  const warm = rowOf(res, official, Ways.warm, "1 KB");
  const raw = rowOf(res, official, Ways.raw, "1 KB");
  return (
    `With an official-sized database, a warm bucketwarden scan of a 1 KB object takes ` +
    `**${f1(warm?.latencyMs.p50 ?? Number.NaN)} ms** (p50, event in to tag written) against ` +
    `**${f1((seed?.latencyMs.p50 ?? Number.NaN) / 1000)} s** for the seed-style download-and-clamscan: ` +
    `**${f0(res.speedupWarmVsSeed)}× faster**, ${f1(res.warmOverheadMs)} ms above raw clamd ` +
    `(${f1(raw?.latencyMs.p50 ?? Number.NaN)} ms). Measured on ${m.cpuModel}, ${m.cores} cores, ${m.ramGB} GB RAM ` +
    `(${m.kernel}, Node ${m.node}, ClamAV ${m.clamav}), load average ${m.loadAverage.join(" / ")} at start` +
    (m.loadAverageEnd ? ` and ${m.loadAverageEnd.join(" / ")} at the end (other work shared the CPU).` : ".")
  );
}

function targetsSection(res: BenchResults, official: string): string[] {
  const t = res.targets;
  const mark = (met: boolean) => (met ? "met" : "**missed**");
  const warm1k = rowOf(res, official, Ways.warm, "1 KB");
  const warm100 = rowOf(res, official, Ways.warm, "100 MB");
  const raw100 = rowOf(res, official, Ways.raw, "100 MB");
  const lines = [
    "| target | measured | verdict |",
    "| --- | --- | --- |",
    `| warm 1 KB within ${t.warmOverheadMs.limit} ms of raw clamd | +${f1(t.warmOverheadMs.value)} ms | ${mark(t.warmOverheadMs.met)} |`,
    `| warm ≥ ${t.speedupWarmVsSeed.limit}× faster than seed-style (1 KB, official-sized) | ${f0(t.speedupWarmVsSeed.value)}× | ${mark(t.speedupWarmVsSeed.met)} |`,
    `| warm 100 MB ≥ ${f0(t.throughputRatio100MB.limit * 100)}% of raw clamd throughput | ${f1(t.throughputRatio100MB.value * 100)}% | ${mark(t.throughputRatio100MB.met)} |`,
    `| scanner Node memory flat: ${t.flatNodeMemory.from} → ${t.flatNodeMemory.to} grows ≤ ${f0(t.flatNodeMemory.limit * 100)}% of the object's growth | ${signed(t.flatNodeMemory.growthMB)} MB (${f1(t.flatNodeMemory.share * 100)}%) | ${mark(t.flatNodeMemory.met)} |`,
    `| scanner /tmp flat: ${t.flatTmp.at} needs ≤ ${f0(t.flatTmp.limit * 100)}% of the object above the database | +${f0(t.flatTmp.growthMB)} MB (${f0(t.flatTmp.share * 100)}%) | ${mark(t.flatTmp.met)} |`,
    "",
  ];
  if (!t.warmOverheadMs.met)
    lines.push(
      `- Warm 1 KB is ${f1(t.warmOverheadMs.value - t.warmOverheadMs.limit)} ms over its budget. ` +
        `The handler's own split (p50 ms): ${phases(warm1k)}. Everything but \`scan\` is S3 round trips ` +
        "to the local Ceph gateway (HeadObject + GetObjectTagging, GetObject, PutObjectTagging), which raw clamd " +
        `does not make; on this store a HEAD takes ${f1(res.store.headMs)} ms and a call answered with a body ` +
        `${f1(res.store.smallBodyMs)} ms (see Notes).`,
    );
  if (!t.throughputRatio100MB.met)
    lines.push(
      `- Warm 100 MB reaches ${f1(t.throughputRatio100MB.value * 100)}% of raw clamd, ` +
        `${f1((t.throughputRatio100MB.limit - t.throughputRatio100MB.value) * 100)} points short. Warm p50 ` +
        `${f0(warm100?.latencyMs.p50 ?? 0)} ms (${phases(warm100)}) against raw ${f0(raw100?.latencyMs.p50 ?? 0)} ms: ` +
        `the body comes through the S3 gateway (GET alone: ${f0(res.store.get100MBps)} MB/s here; the gateway, its OSD ` +
        "and clamd share the same 2 cores) instead of the page cache, and clamd starts scanning only once it has spooled the whole stream.",
    );
  if (!t.speedupWarmVsSeed.met)
    lines.push(
      `- Seed-style is only ${f0(t.speedupWarmVsSeed.value)}× slower: see the database load time above.`,
    );
  if (!t.flatNodeMemory.met)
    lines.push(
      `- The scanner's Node process grew ${f1(t.flatNodeMemory.growthMB)} MB between 1 KB and the largest object.`,
    );
  return lines;
}

export function renderMarkdown(res: BenchResults, official: string, chartFile: string): string {
  const out: string[] = [
    "# Benchmark: warm scans against the seed's download-and-clamscan",
    "",
    `Generated by \`npm run bench\` on ${res.startedAt} (${f0(res.durationS)} s). Do not edit: rerun.`,
    "",
    headline(res, official),
    "",
    `![latency by object size, three ways, log scale](${chartFile})`,
    "",
    "## Targets (issue 7)",
    "",
    ...targetsSection(res, official),
    "",
    "## Databases",
    "",
    markdownTable(DATABASE_HEADERS, res.databases.map(databaseCells)),
    "",
    "Cold start: a new execution environment's first invocation, from creating it to the tag written " +
      "(init = loading the bundle; the rest downloads the database from the definitions bucket, starts clamd " +
      "with it and scans a 1 KB object). clamd load: spawn until it answers PING with the database loaded.",
    "",
    "## Results",
    "",
    markdownTable(CASE_HEADERS, res.rows.map(caseCells)),
    "",
    "## Where the time goes (p50 ms per phase)",
    "",
    "| database | way | size | phases |",
    "| --- | --- | --- | --- |",
    ...res.rows
      .filter((r) => r.phasesMs)
      .map((r) => `| ${r.database} | ${r.way} | ${r.sizeLabel} | ${phases(r)} |`),
    "",
    "## Notes",
    "",
    ...res.notes.map((n) => `- ${n}`),
    "",
    "## Prices used",
    "",
    `- Lambda (${LAMBDA_PRICING.region}): x86_64 $${LAMBDA_PRICING.perGbSecond.x86_64}/GB-s, ` +
      `arm64 $${LAMBDA_PRICING.perGbSecond.arm64}/GB-s, $${LAMBDA_PRICING.perRequest * 1_000_000} per 1M requests; ` +
      "duration billed per ms at the mean latency of the row.",
    `- GuardDuty Malware Protection for S3 (${GUARDDUTY_S3_PRICING.region}): $${GUARDDUTY_S3_PRICING.perGb}/GB scanned ` +
      `+ $${GUARDDUTY_S3_PRICING.perThousandObjects} per 1,000 objects.`,
    "",
  ];
  return out.join("\n");
}
