import type { StackValidationPolicy } from "@pulumi/policy";
import { EnvVars, parseScannerConfig } from "../../core/handler-config";
import type { TagSchema } from "../../core/tags";
import {
  type ExemptionArgs,
  exemptionProperties,
  type ScannerArgs,
  scannerProperties,
  type TagArgs,
  tagProperties,
  tagSchemaOf,
} from "../lib/config";
import { globMatch } from "../lib/glob";
import { type BucketRun, forUploadBuckets } from "../lib/run";
import { environmentOf } from "../lib/scanner";
import { describe } from "../lib/stack";
import { type EntryTrace, OBJECT_CREATED_EVENTS, traceNotification } from "../lib/triggers";
import { read, type UnknownValueError } from "../lib/unknowns";
import { reportBucket, type UploadBucket, uploadLabel } from "../lib/upload-buckets";

export interface UploadBucketScannerTriggerArgs extends ExemptionArgs, ScannerArgs, TagArgs {}

const NAME = "upload-bucket-scanner-trigger";

/** Every upload bucket sends all its object-created events to a function that runs the engine. */
export const uploadBucketScannerTrigger: StackValidationPolicy = {
  name: NAME,
  description:
    "Checks whether every upload bucket sends all its object-created events, directly or through a queue or topic, to a Lambda function that runs the scanning engine with the verdict tags the pack checks.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...exemptionProperties, ...scannerProperties, ...tagProperties } },
  validateStack: (stack, reportViolation) =>
    forUploadBuckets<UploadBucketScannerTriggerArgs>(stack, reportViolation, (run) => {
      const tags = tagSchemaOf(run.args, NAME);
      for (const bucket of run.uploads) checkBucket(run, bucket, tags);
    }),
};

function checkBucket(
  run: BucketRun<UploadBucketScannerTriggerArgs>,
  bucket: UploadBucket,
  tags: TagSchema,
): void {
  const { node } = bucket;
  const must = `${uploadLabel(node)} must send every object-created event to a scanner function`;
  if (node.notifications.length === 0) {
    reportBucket(run.findings, bucket, `${must}: it has no BucketNotification`);
    return;
  }
  if (node.notifications.length > 1) {
    const names = node.notifications.map((n) => `"${n.name}"`).join(", ");
    reportBucket(
      run.findings,
      bucket,
      `${uploadLabel(node)} must have one BucketNotification: ${names} replace each other, since a bucket has one notification configuration`,
    );
    return;
  }
  const notification = node.notifications[0];
  const entries = traceNotification(run.graph, notification, run.args);
  const covering = entries.filter(
    (e) => e.events.known && e.filter.known && e.filter.value === undefined && e.routes.some(isScanner),
  );
  const sent = covering.flatMap((e) => (e.events.known ? e.events.value : []));
  const missing = OBJECT_CREATED_EVENTS.filter((ev) => !sent.some((p) => globMatch(p, ev)));
  if (missing.length === 0) {
    for (const entry of covering) checkTags(run, bucket, entry, tags);
    return;
  }
  // Unknowns matter only where they could still make an entry cover the bucket.
  const open = entries.filter(couldCover).flatMap(unknownsOf);
  if (open.length > 0) {
    run.findings.undecidable(`${must}: ${open[0].what} is unknown`, open[0].unknown);
    return;
  }
  const partly = missing.length < OBJECT_CREATED_EVENTS.length;
  const reasons = partly
    ? [`${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not sent to one`]
    : entries.length === 0
      ? [`${describe(notification)} has no Lambda, queue or topic destination`]
      : entries.flatMap((e) => whyNot(e));
  reportBucket(run.findings, bucket, `${must}: ${reasons.join("; ")}`);
}

/** An entry that reaches, or may reach, a scanner with object-created events of every key. */
function couldCover(e: EntryTrace): boolean {
  const mayReach = e.unknowns.length > 0 || e.routes.some((r) => r.verdict.kind !== "not-scanner");
  const mayCreate =
    !e.events.known || e.events.value.some((p) => OBJECT_CREATED_EVENTS.some((ev) => globMatch(p, ev)));
  const mayBeWhole = !e.filter.known || e.filter.value === undefined;
  return mayReach && mayCreate && mayBeWhole;
}

function isScanner(route: EntryTrace["routes"][number]): boolean {
  return route.verdict.kind === "scanner";
}

function unknownsOf(e: EntryTrace): { what: string; unknown: UnknownValueError }[] {
  const found = [...e.unknowns];
  if (!e.events.known)
    found.push({ what: e.unknownList ?? `the event list of ${e.entry}`, unknown: e.events.unknown });
  else if (!e.filter.known) found.push({ what: `the filter of ${e.entry}`, unknown: e.filter.unknown });
  for (const r of e.routes) if (r.verdict.kind === "unknown") found.push(r.verdict);
  return found;
}

function whyNot(e: EntryTrace): string[] {
  const reasons = e.deadEnds.map((d) => `${e.entry}: ${d}`);
  for (const r of e.routes) {
    if (r.verdict.kind === "not-scanner") {
      reasons.push(`${e.entry}: ${describe(r.fn)} does not run the engine (${r.verdict.why})`);
    }
  }
  if (e.routes.some(isScanner)) {
    if (e.filter.known && e.filter.value !== undefined) {
      reasons.push(`${e.entry} sends only objects with ${e.filter.value}`);
    }
    if (e.events.known && !e.events.value.some((p) => OBJECT_CREATED_EVENTS.some((ev) => globMatch(p, ev)))) {
      reasons.push(`${e.entry} sends only ${e.events.value.join(", ")}`);
    }
  }
  return reasons.length > 0 ? reasons : [`${e.entry} reaches no Lambda function`];
}

// Fields of the schema and the variables that carry them to the scanner (core's EnvVars).
const TAG_VARIABLES: [keyof TagSchema, string][] = [
  ["key", EnvVars.tagKey],
  ["infectedValue", EnvVars.tagInfectedValue],
  ["cleanValue", EnvVars.tagCleanValue],
  ["resultKey", EnvVars.tagResultKey],
  ["stampKey", EnvVars.tagStampKey],
];

/**
 * A bucketwarden scanner must write the tags the bucket policy is checked against: its tag
 * variables, read the way the handler reads them (core's `parseScannerConfig`), must give the
 * pack's tag schema.
 */
function checkTags(
  run: BucketRun<UploadBucketScannerTriggerArgs>,
  bucket: UploadBucket,
  entry: EntryTrace,
  tags: TagSchema,
): void {
  const must = `${uploadLabel(bucket.node)} must be scanned with the verdict tags the pack checks`;
  for (const route of entry.routes.filter(isScanner)) {
    const vars = environmentOf(route.fn);
    if (!vars.known) {
      run.findings.undecidable(`${must}: the environment of ${describe(route.fn)} is unknown`, vars.unknown);
      continue;
    }
    if (vars.value === undefined || !Object.hasOwn(vars.value, EnvVars.tagKey)) continue;
    const env: Record<string, string> = { [EnvVars.definitionsBucket]: "-" };
    for (const [, name] of TAG_VARIABLES) {
      const value = read(() => (vars.value as Record<string, unknown>)[name]);
      if (!value.known) {
        run.findings.undecidable(`${must}: ${name} of ${describe(route.fn)} is unknown`, value.unknown);
        return;
      }
      if (value.value !== undefined) env[name] = String(value.value);
    }
    let written: TagSchema;
    try {
      written = parseScannerConfig(env).tags;
    } catch (e) {
      reportBucket(run.findings, bucket, `${must}: ${describe(route.fn)} has ${(e as Error).message}`);
      continue;
    }
    const differences = TAG_VARIABLES.filter(([field]) => written[field] !== tags[field]).map(
      ([field, name]) => `${name} is "${written[field]}", the pack expects "${tags[field]}"`,
    );
    if (differences.length > 0) {
      reportBucket(run.findings, bucket, `${must}: in ${describe(route.fn)}, ${differences.join(", ")}`);
    }
  }
}
