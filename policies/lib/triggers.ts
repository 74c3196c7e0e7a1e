/**
 * Where a bucket's object-created events go: BucketNotification entries (`lambdaFunctions`, `queues`,
 * `topics`) to Lambda functions, directly or through an SQS queue read by an EventSourceMapping, or
 * through an SNS topic subscribed by either. Every hop follows the engine's dependency records
 * (known during preview), with literal ARNs and names as a fallback.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { ScannerArgs } from "./config";
import { type ScannerVerdict, scannerVerdict } from "./scanner";
import { describe, type StackGraph } from "./stack";
import { AwsTypes } from "./types";
import { type Known, read, type UnknownValueError } from "./unknowns";

/** The object-created events S3 sends; a trigger must send all of them (`s3:ObjectCreated:*`). */
export const OBJECT_CREATED_EVENTS = [
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload",
] as const;

/** One way events reach a function. */
export interface Route {
  readonly fn: PolicyResource;
  readonly verdict: ScannerVerdict;
  /** The queue in between, if any: its redrive policy is the dead-letter path. */
  readonly queue?: PolicyResource;
  /** The topic subscription in between, if any. */
  readonly subscription?: PolicyResource;
}

/** One entry of a BucketNotification and where it leads. */
export interface EntryTrace {
  /** e.g. `queues[0]`, or `queues` when the whole list is unknown. */
  readonly entry: string;
  /** Set when the whole list is unknown: what to call it, e.g. `the queues of BucketNotification "n"`. */
  readonly unknownList?: string;
  readonly events: Known<string[]>;
  /** `undefined` when the entry sends every object; otherwise what it is limited to. */
  readonly filter: Known<string | undefined>;
  readonly routes: Route[];
  /** Why parts of the entry lead nowhere, e.g. `Queue "q" is read by no Lambda function`. */
  readonly deadEnds: string[];
  readonly unknowns: { what: string; unknown: UnknownValueError }[];
}

const ENTRY_KINDS = [
  { prop: "lambdaFunctions", arnField: "lambdaFunctionArn", type: AwsTypes.function },
  { prop: "queues", arnField: "queueArn", type: AwsTypes.queue },
  { prop: "topics", arnField: "topicArn", type: AwsTypes.topic },
] as const;

/**
 * Traces every entry of `notification`. When a whole entry list is unknown (a program that builds it
 * with `apply` over ARNs not yet known), its destinations still come from the dependency record:
 * one entry stands for the list, with its events and filter unknown.
 */
export function traceNotification(
  graph: StackGraph,
  notification: PolicyResource,
  args: ScannerArgs,
): EntryTrace[] {
  const entries: EntryTrace[] = [];
  for (const kind of ENTRY_KINDS) {
    const list = read(() => notification.props[kind.prop]);
    if (!list.known) {
      const trace = {
        ...newTrace(kind.prop, list, list),
        unknownList: `the ${kind.prop} list of ${describe(notification)}`,
      };
      const targets = graph.targets(notification, kind.prop, [kind.type]);
      for (const target of targets) follow(graph, target, trace, args);
      if (targets.length > 0) entries.push(trace);
      continue;
    }
    const items = Array.isArray(list.value) ? list.value : [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const trace = newTrace(
        `${kind.prop}[${i}]`,
        read(() => [...item.events].map(String)),
        read(() => filterOf(item.filterPrefix, item.filterSuffix)),
      );
      const targets = resolve(
        graph,
        notification,
        kind.prop,
        kind.type,
        read(() => item[kind.arnField]),
        trace,
      );
      for (const target of targets) follow(graph, target, trace, args);
      entries.push(trace);
    }
  }
  return entries;
}

function newTrace(entry: string, events: Known<unknown>, filter: Known<unknown>): EntryTrace {
  return {
    entry,
    events: events as Known<string[]>,
    filter: filter as Known<string | undefined>,
    routes: [],
    deadEnds: [],
    unknowns: [],
  };
}

function filterOf(prefix: unknown, suffix: unknown): string | undefined {
  const parts: string[] = [];
  if (typeof prefix === "string" && prefix !== "") parts.push(`prefix "${prefix}"`);
  if (typeof suffix === "string" && suffix !== "") parts.push(`suffix "${suffix}"`);
  return parts.length === 0 ? undefined : parts.join(" and ");
}

/** The resources of `type` that a reference (property `prop` of `from`, value `ref`) points at. */
function resolve(
  graph: StackGraph,
  from: PolicyResource,
  prop: string,
  type: string,
  ref: Known<unknown>,
  trace: EntryTrace,
  arnFields: readonly string[] = ["arn"],
): PolicyResource[] {
  const byDependency = graph.targets(from, prop, [type]);
  if (ref.known && typeof ref.value === "string") {
    const byValue = graph.withValue([type], arnFields, ref.value);
    if (byValue.length > 0) return byValue;
    if (byDependency.length > 0) return byDependency;
    trace.deadEnds.push(`${describe(from)} points at ${ref.value}, which is not in this stack`);
    return [];
  }
  if (byDependency.length > 0) return byDependency;
  if (!ref.known) trace.unknowns.push({ what: `where ${describe(from)} sends events`, unknown: ref.unknown });
  return [];
}

function follow(graph: StackGraph, target: PolicyResource, trace: EntryTrace, args: ScannerArgs): void {
  if (target.type === AwsTypes.function) {
    trace.routes.push({ fn: target, verdict: scannerVerdict(graph, target, args) });
  } else if (target.type === AwsTypes.queue) {
    followQueue(graph, target, trace, args);
  } else if (target.type === AwsTypes.topic) {
    followTopic(graph, target, trace, args);
  }
}

function followQueue(
  graph: StackGraph,
  queue: PolicyResource,
  trace: EntryTrace,
  args: ScannerArgs,
  subscription?: PolicyResource,
): void {
  const mappings = graph.pointingAt(queue, [AwsTypes.eventSourceMapping], "eventSourceArn", "arn");
  if (mappings.length === 0) {
    trace.deadEnds.push(`${describe(queue)} is read by no Lambda function`);
    return;
  }
  for (const mapping of mappings) {
    const enabled = read(() => mapping.props.enabled);
    if (enabled.known && enabled.value === false) {
      trace.deadEnds.push(`${describe(mapping)} is disabled`);
      continue;
    }
    const fns = resolve(
      graph,
      mapping,
      "functionName",
      AwsTypes.function,
      read(() => mapping.props.functionName),
      trace,
      ["name", "arn"],
    );
    for (const fn of fns)
      trace.routes.push({ fn, verdict: scannerVerdict(graph, fn, args), queue, subscription });
  }
}

function followTopic(graph: StackGraph, topic: PolicyResource, trace: EntryTrace, args: ScannerArgs): void {
  const subscriptions = graph.pointingAt(topic, [AwsTypes.topicSubscription], "topic", "arn");
  let reached = false;
  for (const sub of subscriptions) {
    const protocol = read(() => sub.props.protocol);
    if (!protocol.known) {
      trace.unknowns.push({ what: `the protocol of ${describe(sub)}`, unknown: protocol.unknown });
      continue;
    }
    const endpoint = read(() => sub.props.endpoint);
    if (protocol.value === "sqs") {
      reached = true;
      for (const q of resolve(graph, sub, "endpoint", AwsTypes.queue, endpoint, trace)) {
        followQueue(graph, q, trace, args, sub);
      }
    } else if (protocol.value === "lambda") {
      reached = true;
      for (const fn of resolve(graph, sub, "endpoint", AwsTypes.function, endpoint, trace)) {
        trace.routes.push({ fn, verdict: scannerVerdict(graph, fn, args), subscription: sub });
      }
    }
  }
  if (!reached && trace.unknowns.length === 0) {
    trace.deadEnds.push(`${describe(topic)} has no SQS or Lambda subscription`);
  }
}
