/**
 * The results table as cells, shared by the terminal and the Markdown report so that both show the
 * same numbers with the same rounding.
 */
import type { CaseRow, DatabaseRow } from "../types";

const ms = (v: number) =>
  v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? v.toFixed(0) : v.toFixed(1);
const mb = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(0));
const usd = (v: number | undefined) => (v === undefined ? "—" : v < 0.01 ? v.toFixed(4) : v.toFixed(2));

export const CASE_HEADERS = [
  "database",
  "way",
  "size",
  "n (clean/inf.)",
  "p50 ms",
  "p95 ms",
  "MB/s",
  "Node peak MB",
  "engine peak MB (anon)",
  "tmp peak MB (before)",
  "$/1k x86",
  "$/1k arm64",
  "$/1k GuardDuty",
];

export function caseCells(r: CaseRow): string[] {
  return [
    r.database,
    r.way,
    r.sizeLabel,
    `${r.clean + r.infected} (${r.clean}/${r.infected})`,
    ms(r.latencyMs.p50),
    ms(r.latencyMs.p95),
    r.throughputMBps >= 10 ? r.throughputMBps.toFixed(0) : r.throughputMBps.toFixed(2),
    mb(r.nodePeakMB),
    r.enginePeakMB === undefined ? "—" : `${mb(r.enginePeakMB)} (${mb(r.engineAnonPeakMB)})`,
    r.tmpPeakMB === undefined ? "—" : `${mb(r.tmpPeakMB)} (${mb(r.tmpBaselineMB)})`,
    usd(r.cost?.lambdaX86),
    usd(r.cost?.lambdaArm64),
    usd(r.guardDuty),
  ];
}

export const DATABASE_HEADERS = [
  "database",
  ".hdb sigs",
  ".ndb sigs",
  "size MB",
  "clamd load",
  "clamd RSS MB",
  "cold start p50 (n)",
  "of which init",
];

export function databaseCells(d: DatabaseRow): string[] {
  return [
    d.name,
    d.hdbSignatures.toLocaleString("en-US"),
    d.ndbSignatures.toLocaleString("en-US"),
    (d.bytes / 1024 / 1024).toFixed(1),
    ms(d.clamdLoadMs),
    d.clamdRssMB.toFixed(0),
    `${ms(d.coldStartMs.p50)} (${d.coldStartMs.n})`,
    ms(d.coldInitMs.p50),
  ];
}

/** Fixed-width text, columns padded to their widest cell. */
export function textTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}
