/**
 * From a run's measurements to its reports: the targets judged, the notes written, then
 * `results.json`, `results.md`, `latency.png` and the table on the terminal.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BacklogResults, withBacklogSection } from "../backlog-report";
import { GUARDDUTY_S3_PRICING, LAMBDA_PRICING } from "../cost";
import { OFFICIAL_SIZED_DATABASE } from "../database";
import { benchNotes } from "../notes";
import { judgeTargets } from "../targets";
import type { BenchResults } from "../types";
import { writeLatencyChart } from "./chart";
import { headline, renderMarkdown } from "./markdown";
import { CASE_HEADERS, caseCells, DATABASE_HEADERS, databaseCells, textTable } from "./table";

/** What a run measured; everything else in {@link BenchResults} is derived from it. */
export type Measured = Pick<
  BenchResults,
  "startedAt" | "durationS" | "quick" | "machine" | "store" | "databases" | "rows"
>;

export async function writeReports(m: Measured, outDir: string): Promise<BenchResults> {
  // The official-sized database runs last; the targets are judged on it.
  const official = m.databases[m.databases.length - 1].name;
  const targets = judgeTargets(m.rows, official);
  const results: BenchResults = {
    startedAt: m.startedAt,
    durationS: m.durationS,
    // Runs from before the flag was recorded were full runs.
    quick: m.quick ?? false,
    machine: m.machine,
    speedupWarmVsSeed: targets.speedupWarmVsSeed.value,
    warmOverheadMs: targets.warmOverheadMs.value,
    targets,
    pricing: { lambda: LAMBDA_PRICING, guardDuty: GUARDDUTY_S3_PRICING },
    store: m.store,
    databases: m.databases,
    rows: m.rows,
    notes: benchNotes({
      quick: m.quick ?? false,
      official: OFFICIAL_SIZED_DATABASE,
      rows: m.rows,
      databases: m.databases,
      store: m.store,
    }),
  };
  await writeFile(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  // The backlog throughput section comes from its own run (bench/backlog.ts) and is kept across reruns.
  const backlogFile = join(__dirname, "..", "results.backlog.json");
  const markdown = renderMarkdown(results, official, "latency.png");
  await writeFile(
    join(outDir, "results.md"),
    existsSync(backlogFile)
      ? withBacklogSection(markdown, JSON.parse(readFileSync(backlogFile, "utf8")) as BacklogResults)
      : markdown,
  );
  await writeLatencyChart(
    m.rows,
    join(outDir, "latency.png"),
    "Scan latency by object size (p50 line, p95 tick)",
  );

  console.log("");
  console.log(textTable(DATABASE_HEADERS, m.databases.map(databaseCells)));
  console.log("");
  console.log(textTable(CASE_HEADERS, m.rows.map(caseCells)));
  console.log("");
  console.log(headline(results, official).replace(/\*\*/g, ""));
  for (const [name, t] of Object.entries(targets)) console.log(`  ${t.met ? "met    " : "MISSED "} ${name}`);
  console.log(`\nWrote ${join(outDir, "results.md")}, results.json and latency.png`);
  return results;
}
