/**
 * Adopting a bucket that exists already: the component writes the bucket's one policy and its one
 * notification configuration, replacing what the bucket had. That is an outage for whatever the old
 * policy allowed or the old notifications fed, so it happens only when the user says so, and the
 * refusal names exactly what would be replaced and where to pass what must be kept. Pure.
 */
import { AccessRuleSids, type PolicyStatement } from "./access-rule";
import { callerStatements } from "./iam";

/** How the caller names things: component arguments or stack settings differ. */
export interface AdoptionTerms {
  /** Where the user's own policy statements are passed (kept beside the access rule). */
  policyStatements: string;
  /** How the user keeps the bucket's other notification entries. */
  keepNotifications: string;
  /** The opt-in to set, with the value that accepts, e.g. `adoptExistingBucket: true`. */
  optIn: string;
}

/** The component arguments' names. */
export const COMPONENT_ADOPTION_TERMS: AdoptionTerms = {
  policyStatements: "policyStatements",
  keepNotifications:
    "pass its other entries (queues, topics, functions, EventBridge) in extraNotifications, or they are lost",
  optIn: "adoptExistingBucket: true",
};

/**
 * Why adopting `buckets` is refused without the opt-in: the two configurations it would replace, and
 * where the user's own statements and entries must be passed so they are not lost.
 */
export function adoptionRefusal(buckets: readonly string[], terms: AdoptionTerms): string {
  const named = buckets.map((b) => `"${b}"`).join(", ");
  return (
    `refusing to take over the existing ${buckets.length === 1 ? "bucket" : "buckets"} ${named} without an explicit opt-in. ` +
    `Adopting ${buckets.length === 1 ? "it" : "each"} replaces (1) the bucket's one policy: pass the statements of your own that it must keep in ` +
    `${terms.policyStatements}, or they are lost; and (2) its one notification configuration: ` +
    `${terms.keepNotifications}. Set ${terms.optIn} to accept.`
  );
}

/** The stack settings' names: they have no way to pass other notification entries. */
export function settingsAdoptionTerms(name: (key: string) => string): AdoptionTerms {
  return {
    policyStatements: name("bucketPolicyStatements"),
    keepNotifications:
      "the stack settings cannot pass other entries, so they are lost (the UploadScanner component's extraNotifications keeps them)",
    optIn: `${name("adoptExistingBuckets")}: true`,
  };
}

/** A canonical form of a statement: keys sorted at every level, so key order does not matter. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/**
 * The statements of a bucket's live policy that adopting it would lose: those neither passed by the
 * user (matched by Sid, or, without a Sid, by content) nor the access rule's own. A live policy that
 * already holds the access rule's statements is one this component wrote: its other statements were
 * passed before, and leaving one out now is how a user removes it, so nothing is reported.
 * `livePolicy` is the policy's JSON, or undefined when the bucket has none.
 */
export function unkeptStatements(
  livePolicy: string | undefined,
  passed: readonly PolicyStatement[],
): PolicyStatement[] {
  if (livePolicy === undefined || livePolicy.trim() === "") return [];
  const live = callerStatements(livePolicy);
  const ruleSids = new Set<string>(Object.values(AccessRuleSids));
  if (live.some((s) => s.Sid !== undefined && ruleSids.has(s.Sid))) return [];
  const passedSids = new Set(passed.flatMap((s) => (s.Sid === undefined ? [] : [s.Sid])));
  const passedContent = new Set(passed.map(canonical));
  return live.filter((s) =>
    s.Sid !== undefined && s.Sid !== "" ? !passedSids.has(s.Sid) : !passedContent.has(canonical(s)),
  );
}

/** Why adopting `bucket` is refused when its live policy has statements the user did not pass. */
export function unkeptStatementsRefusal(
  bucket: string,
  statements: readonly PolicyStatement[],
  policyStatements: string,
): string {
  const listed = statements.map((s) => (s.Sid ? `Sid "${s.Sid}"` : JSON.stringify(s))).join("; ");
  return (
    `refusing to replace the policy of the existing bucket "${bucket}": it has ${statements.length} ` +
    `${statements.length === 1 ? "statement" : "statements"} not passed in ${policyStatements}, which ` +
    `would be lost: ${listed}. Pass ${statements.length === 1 ? "it" : "them"} in ${policyStatements} to keep ` +
    `${statements.length === 1 ? "it" : "them"}, or remove ${statements.length === 1 ? "it" : "them"} from the bucket first.`
  );
}

/** A bucket's notification configuration as S3 answers GetBucketNotificationConfiguration (the fields read). */
export interface LiveNotifications {
  QueueConfigurations?: { Id?: string; QueueArn?: string; Events?: string[] }[];
  TopicConfigurations?: { Id?: string; TopicArn?: string; Events?: string[] }[];
  LambdaFunctionConfigurations?: { Id?: string; LambdaFunctionArn?: string; Events?: string[] }[];
  EventBridgeConfiguration?: object;
}

/** The destinations the caller keeps (`extraNotifications`), by ARN. */
export interface KeptNotifications {
  queueArns: string[];
  topicArns: string[];
  lambdaFunctionArns: string[];
  eventbridge: boolean;
}

/**
 * The entries of an adopted bucket's live notification configuration that adopting it would lose: those
 * whose destination the caller did not pass in `extraNotifications` (one configuration per bucket, and
 * the component writes it). Each is described for the refusal: kind, destination, events.
 */
export function unkeptNotificationEntries(live: LiveNotifications, kept: KeptNotifications): string[] {
  const lost: string[] = [];
  const describe = (kind: string, arn: string | undefined, events: string[] | undefined) =>
    `${kind} ${arn ?? "(no destination)"} for ${(events ?? []).join(", ") || "no events"}`;
  for (const q of live.QueueConfigurations ?? [])
    if (!kept.queueArns.includes(q.QueueArn ?? "")) lost.push(describe("queue", q.QueueArn, q.Events));
  for (const t of live.TopicConfigurations ?? [])
    if (!kept.topicArns.includes(t.TopicArn ?? "")) lost.push(describe("topic", t.TopicArn, t.Events));
  for (const f of live.LambdaFunctionConfigurations ?? [])
    if (!kept.lambdaFunctionArns.includes(f.LambdaFunctionArn ?? ""))
      lost.push(describe("function", f.LambdaFunctionArn, f.Events));
  if (live.EventBridgeConfiguration !== undefined && !kept.eventbridge)
    lost.push("EventBridge delivery of every event");
  return lost;
}

/** Why adopting `bucket` is refused when its live notification entries were not passed. */
export function unkeptNotificationsRefusal(bucket: string, entries: readonly string[]): string {
  return (
    `refusing to replace the notification configuration of the existing bucket "${bucket}": ` +
    `${entries.length} ${entries.length === 1 ? "entry" : "entries"} not passed in extraNotifications would be lost: ` +
    `${entries.join("; ")}. Pass ${entries.length === 1 ? "it" : "them"} in extraNotifications (queues, topics, ` +
    `lambdaFunctions, eventbridge) to keep ${entries.length === 1 ? "it" : "them"}, or remove ${entries.length === 1 ? "it" : "them"} from the bucket first.`
  );
}

/** The adoption function's event: the `aws.lambda.Invocation` input, with Pulumi's lifecycle key `tf`. */
export interface AdoptionRequest {
  bucketwarden: "adopt-bucket";
  /** The adopted bucket. */
  bucket: string;
  /** Where the pre-adoption configuration is kept between adoption and destroy (bucket, key). */
  state: { bucket: string; key: string };
  kept: KeptNotifications;
  /** Pulumi's lifecycle information (lifecycleScope CRUD): `create`, `update` or `delete`. */
  tf?: { action?: string };
}

/** What is captured at adoption and put back on destroy: the policy JSON (or none) and the notifications. */
export interface CapturedConfiguration {
  bucket: string;
  capturedAt: string;
  policy?: string;
  notifications: LiveNotifications;
}

/** The key the captured configuration of `bucket` is kept under. */
export function adoptionStateKey(prefix: string, bucket: string): string {
  return `${prefix}adoption/${bucket}.json`;
}
