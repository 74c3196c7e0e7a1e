/**
 * The "Backlog on AWS" section of `bench/results.md`: bench/cost's model of a backlog scan with S3
 * Batch Operations and the scanner at its concurrency cap, fed with this run's measured warm scan and
 * cold start, beside GuardDuty's on-demand price. A model, not a measurement: there is no AWS here.
 */

import { ScannerLimits } from "../../core/limits";
import { SETTINGS } from "../../core/settings";
import { DEFAULT_SCANNER_MEMORY_MB } from "../../core/sizing";
import {
  type AwsBacklogInput,
  awsBacklogModel,
  BATCH_OPERATIONS_PRICING,
  rescanWindowCost,
  S3_REQUEST_PRICING,
} from "../cost";
import { type BenchResults, Ways } from "../types";
import { markdownTable } from "./table";

const usd = (v: number) => (v >= 100 ? `$${v.toFixed(0)}` : `$${v.toFixed(2)}`);

function duration(hours: number): string {
  if (hours < 1) return `${(hours * 60).toFixed(0)} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}

/** The backlog sizes the issue asks about. */
export const BACKLOG_SIZES = [1_000_000, 10_000_000, 100_000_000] as const;

export function awsBacklogSection(res: BenchResults, official: string): string[] {
  const warm = res.rows.find((r) => r.database === official && r.way === Ways.warm && r.sizeLabel === "1 KB");
  const warm1MB = res.rows.find(
    (r) => r.database === official && r.way === Ways.warm && r.sizeLabel === "1 MB",
  );
  const db = res.databases.find((d) => d.name === official);
  if (!warm || !db) return [];
  const defaultConcurrency = SETTINGS.scannerMaxConcurrency.default;
  const maxConcurrency = ScannerLimits.maxConcurrency.max;
  const cases: Array<{ label: string; bytes: number; scanMs: number }> = [
    { label: "1 KB", bytes: 1024, scanMs: warm.latencyMs.mean },
    ...(warm1MB ? [{ label: "1 MB", bytes: 1024 * 1024, scanMs: warm1MB.latencyMs.mean }] : []),
  ];
  const input = (objects: number, bytes: number, scanMs: number, concurrency: number): AwsBacklogInput => ({
    objects,
    meanObjectBytes: bytes,
    warmScanMs: scanMs,
    memoryMb: DEFAULT_SCANNER_MEMORY_MB,
    concurrency,
    arch: "arm64",
    coldStartMs: db.coldStartMs.p50,
  });
  const rows: string[][] = [];
  for (const c of cases)
    for (const concurrency of [defaultConcurrency, maxConcurrency])
      for (const objects of BACKLOG_SIZES) {
        const m = awsBacklogModel(input(objects, c.bytes, c.scanMs, concurrency));
        rows.push([
          `${objects / 1e6} M`,
          c.label,
          String(concurrency),
          duration(m.hours),
          usd(m.cost.batchOperations + m.cost.manifest),
          usd(m.cost.lambdaRequests + m.cost.lambdaCompute),
          usd(m.cost.s3Requests),
          `**${usd(m.cost.total)}**`,
          usd(m.perMillion),
          usd(m.guardDuty),
        ]);
      }
  const rescan = rescanWindowCost({
    ...input(0, 1024, warm.latencyMs.mean, defaultConcurrency),
    uploadsPerDay: 1_000_000,
    windowHours: 24,
    buckets: 1,
  });
  return [
    "## Backlog on AWS (model)",
    "",
    "What scanning an existing bucket would take on AWS with S3 Batch Operations invoking the scanner's batch " +
      "entry point, one object per invocation, at the scanner's reserved concurrency: the default " +
      `\`scannerMaxConcurrency\` (${defaultConcurrency}) and the most it allows (${maxConcurrency}). ` +
      `Each task costs this run's mean warm scan (official-sized database: ${warm.latencyMs.mean.toFixed(1)} ms ` +
      `for 1 KB${warm1MB ? `, ${warm1MB.latencyMs.mean.toFixed(1)} ms for 1 MB` : ""}); each execution ` +
      `environment pays one cold start (${(db.coldStartMs.p50 / 1000).toFixed(1)} s). Lambda is billed at the ` +
      `scanner's default memory (${DEFAULT_SCANNER_MEMORY_MB} MB) on arm64. The job generates its manifest by ` +
      "listing the bucket. GuardDuty is its on-demand price for the same objects. " +
      "**Not run against AWS**: bench/cost.ts's `awsBacklogModel` computes it (tests/bench/cost.test.ts).",
    "",
    markdownTable(
      [
        "objects",
        "size",
        "concurrency",
        "time",
        "Batch Operations",
        "Lambda",
        "S3 requests",
        "total",
        "per million",
        "GuardDuty",
      ],
      rows,
    ),
    "",
    "- Time is objects ÷ (concurrency ÷ warm scan time). Batch Operations documents no task rate of its own " +
      "for Lambda jobs; it invokes synchronously and retries throttled tasks, so the reserved concurrency sets " +
      "the pace. The job's preparation (listing the bucket) before its first task is not counted. Lambda's S3 " +
      "round trips in a region are not this machine's local store's, so the warm scan time is an estimate.",
    "- Per object: one Batch Operations task, one Lambda request, GetObject + GetObjectTagging (GET rate) and " +
      "PutObjectTagging (PUT rate); per 1,000 objects listed, one LIST page. An object whose stamped verdict " +
      "already names the current definitions is skipped after GetObjectTagging alone and costs less.",
    `- Rescans (\`rescanWindow\`): one job per upload bucket each time definitions add signatures, over the objects ` +
      "created within the window (bench/cost.ts's `rescanWindowCost`). At 1 M uploads a day and a 24 h window, " +
      `one rescan scans ${rescan.objectsPerRescan.toLocaleString("en-US")} objects (1 KB) for ${usd(rescan.perRescan)}, ` +
      `${usd(rescan.perMillionObjects)} per million objects, in ${duration(rescan.hours)} at the default concurrency. ` +
      "The generated manifest lists the whole bucket to find them (its listing cost grows with the bucket, " +
      "not the window).",
    `- Prices (us-east-1): Batch Operations $${BATCH_OPERATIONS_PRICING.perJob} per job + ` +
      `$${BATCH_OPERATIONS_PRICING.perMillionObjects.toFixed(2)} per million objects processed + ` +
      `$${BATCH_OPERATIONS_PRICING.manifestGenerationPerMillionObjects} per million objects listed for a generated ` +
      `manifest; S3 requests $${S3_REQUEST_PRICING.perThousandPut} per 1,000 PUT/LIST, ` +
      `$${S3_REQUEST_PRICING.perThousandGet} per 1,000 GET; Lambda and GuardDuty as below. The Batch Operations ` +
      "prices could not be checked against a stored copy of aws.amazon.com/s3/pricing here (bench/cost.ts says so).",
    "",
  ];
}
