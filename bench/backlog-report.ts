/**
 * The "Backlog throughput on this machine" section of `bench/results.md`, from what bench/backlog.ts
 * measured (`bench/results.backlog.json`). Pure, so that the section is the same whether backlog.ts
 * writes it or `npm run bench` renders results.md again.
 */
import type { Machine } from "./types";

/** One measured case: a backlog of objects, scanned by the local batch runner with `environments`. */
export interface BacklogCase {
  /** `small` (1 KB each) or `mixed` (1 KB to 4 MB). */
  mix: string;
  environments: number;
  objects: number;
  bytes: number;
  infected: number;
  /** Listing the bucket (versions and their tags) into the manifest, then every task to its report line. */
  seconds: number;
  objectsPerSecond: number;
  megabytesPerSecond: number;
  failed: number;
  /** Creating the environments and loading the engine with the definitions, before the run. */
  warmUpSeconds: number;
}

export interface BacklogResults {
  generatedAt: string;
  machine: Machine;
  definitions: string;
  cases: BacklogCase[];
}

/** The start and end markers of the section in results.md. */
export const BACKLOG_MARKERS = [
  "<!-- backlog-throughput:start -->",
  "<!-- backlog-throughput:end -->",
] as const;

/** The section, markers included. */
export function backlogSection(r: BacklogResults): string[] {
  const row = (c: BacklogCase) =>
    `| ${c.mix} | ${c.environments} | ${c.objects} (${c.infected} infected) | ${(c.bytes / 1024 ** 2).toFixed(1)} | ` +
    `${c.seconds.toFixed(1)} | **${c.objectsPerSecond.toFixed(1)}** | ${c.megabytesPerSecond.toFixed(1)} | ${c.failed} | ${c.warmUpSeconds.toFixed(1)} |`;
  const by = (mix: string, n: number) => r.cases.find((c) => c.mix === mix && c.environments === n);
  const speedups = ["small", "mixed"].flatMap((mix) => {
    const one = by(mix, 1);
    const two = by(mix, 2);
    return one && two ? [`${mix} ${(two.objectsPerSecond / one.objectsPerSecond).toFixed(2)}×`] : [];
  });
  const m = r.machine;
  return [
    BACKLOG_MARKERS[0],
    "## Backlog throughput on this machine (local batch runner)",
    "",
    `Measured by \`npm run bench:backlog\` on ${r.generatedAt}: the local batch runner (\`local/backlog.ts\`) lists a bucket ` +
      "of objects no scanner has seen and invokes the scanner's Batch Operations entry point once per object (schema 2.0, as " +
      "S3 Batch Operations does), in warm execution environments, against the local store. " +
      `Definitions: ${r.definitions}. ${m.cpuModel}, ${m.cores} cores, ${m.ramGB} GB RAM, Node ${m.node}, ` +
      `load average ${m.loadAverage.join(" / ")} at start${m.loadAverageEnd ? ` and ${m.loadAverageEnd.join(" / ")} at the end` : ""} (a shared machine).`,
    "",
    "| mix | environments | objects | MB | seconds | objects/s | MB/s | failed | warm-up s |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.cases.map(row),
    "",
    `- Seconds cover the whole run: listing every version and its tags into the manifest, then each task through the ` +
      "batch entry point to its line in the completion report. Warm-up (environments started, engine loaded) is before it " +
      "and not counted: a backlog pays it once, not per object.",
    ...(Math.min(...m.loadAverage, ...(m.loadAverageEnd ?? [])) > m.cores
      ? [
          `- The load average stayed above the ${m.cores} cores for the whole run: other work held the CPU, so these ` +
            "figures are a floor, and the comparison between one and two environments says more about that load than about the runner.",
        ]
      : []),
    ...(speedups.length > 0
      ? [
          `- Two environments against one: ${speedups.join(", ")}, on ${m.cores} cores shared with the store and the runner.`,
        ]
      : []),
    '- On AWS the same entry point runs under S3 Batch Operations at the scanner\'s concurrency cap: see "Backlog on AWS" for time and cost at 1 M, 10 M and 100 M objects.',
    "",
    BACKLOG_MARKERS[1],
  ];
}

/** `markdown` with the section replaced, or appended when it has none. */
export function withBacklogSection(markdown: string, r: BacklogResults): string {
  const section = backlogSection(r).join("\n");
  const start = markdown.indexOf(BACKLOG_MARKERS[0]);
  const end = markdown.indexOf(BACKLOG_MARKERS[1]);
  if (start >= 0 && end > start)
    return markdown.slice(0, start) + section + markdown.slice(end + BACKLOG_MARKERS[1].length);
  return `${markdown.trimEnd()}\n\n${section}\n`;
}
