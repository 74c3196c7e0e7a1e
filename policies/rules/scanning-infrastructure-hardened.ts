import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { type BucketNode, indexBuckets } from "../lib/buckets";
import { type ExemptionArgs, exemptionProperties, type ScannerArgs, scannerProperties } from "../lib/config";
import { describe, isInside, StackGraph } from "../lib/stack";
import { type Route, traceNotification } from "../lib/triggers";
import { AwsTypes, ComponentTypes } from "../lib/types";
import { Findings, read, type UnknownValueError } from "../lib/unknowns";
import { isInfrastructureBucket, reportBucket, uploadBuckets, uploadLabel } from "../lib/upload-buckets";

export interface ScanningInfrastructureHardenedArgs extends ExemptionArgs, ScannerArgs {}

type Check =
  | { ok: true }
  | { ok: false; why: string }
  | { ok: "unknown"; what: string; unknown: UnknownValueError };

const PUBLIC_ACCESS_SETTINGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];

/**
 * Secure defaults around the pipeline, as cdk-serverless-clamscan has them: the definitions bucket
 * (the bucket created inside a DefinitionsStore) blocks all public access and is encrypted, and a
 * failed scan lands somewhere instead of vanishing: the queue in front of the scanner has a redrive
 * policy, or a scanner invoked directly has a dead-letter queue or an on-failure destination.
 */
export const scanningInfrastructureHardened: StackValidationPolicy = {
  name: "scanning-infrastructure-hardened",
  description:
    "Checks whether the definitions bucket is private and encrypted, and whether every scanner of an upload bucket has a dead-letter path for failed scans.",
  enforcementLevel: "advisory",
  configSchema: { properties: { ...exemptionProperties, ...scannerProperties } },
  validateStack: (stack, reportViolation) => {
    const args = stack.getConfig<ScanningInfrastructureHardenedArgs>();
    const graph = new StackGraph(stack.resources);
    const index = indexBuckets(graph);
    const definitions = index.buckets.filter(isInfrastructureBucket);
    const uploads = uploadBuckets(index, args);
    if (definitions.length === 0 && uploads.length === 0) {
      stack.notApplicable("The stack has no definitions bucket and no upload buckets");
    }
    const findings = new Findings(reportViolation);
    for (const node of definitions) checkDefinitionsBucket(findings, node);
    for (const bucket of uploads) {
      if (bucket.node.notifications.length !== 1) continue; // upload-bucket-scanner-trigger reports it
      const entries = traceNotification(graph, bucket.node.notifications[0], args);
      const routes = new Map<string, Route>();
      for (const route of entries.flatMap((e) => e.routes)) {
        // One dead-letter path per hop into the scanner: the queue, or the function itself.
        if (route.verdict.kind === "scanner") routes.set(route.queue?.urn ?? route.fn.urn, route);
      }
      const must = `${uploadLabel(bucket.node)} must have a dead-letter path for failed scans`;
      for (const route of routes.values()) {
        const check = deadLetterPath(graph, route);
        if (check.ok === "unknown") findings.undecidable(`${must}: ${check.what} is unknown`, check.unknown);
        else if (!check.ok) reportBucket(findings, bucket, `${must}: ${check.why}`);
      }
    }
    findings.finish();
  },
};

function checkDefinitionsBucket(findings: Findings, node: BucketNode): void {
  const kind =
    node.resource !== undefined && isInside(node.resource, ComponentTypes.backlogScanning)
      ? "Batch Operations report bucket"
      : node.resource !== undefined && isInside(node.resource, ComponentTypes.quarantineBucket)
        ? "Quarantine bucket"
        : "Definitions bucket";
  const label = `${kind} "${node.label}"`;
  const urn = node.urn;
  if (node.publicAccessBlocks.length === 0) {
    findings.violation(`${label} must block all public access: it has no BucketPublicAccessBlock`, urn);
  }
  for (const block of node.publicAccessBlocks) {
    const unset: string[] = [];
    for (const setting of PUBLIC_ACCESS_SETTINGS) {
      const value = read(() => block.props[setting]);
      if (!value.known)
        findings.undecidable(`${label}: ${setting} of ${describe(block)} is unknown`, value.unknown);
      else if (value.value !== true) unset.push(setting);
    }
    if (unset.length > 0) {
      findings.violation(
        `${label} must block all public access: ${describe(block)} does not set ${unset.join(", ")}`,
        urn,
      );
    }
  }
  const encryption = encryptionOf(node);
  if (encryption.ok === "unknown")
    findings.undecidable(`${label}: ${encryption.what} is unknown`, encryption.unknown);
  else if (!encryption.ok) findings.violation(`${label} must be encrypted: ${encryption.why}`, urn);
}

function encryptionOf(node: BucketNode): Check {
  for (const config of node.encryptions) {
    const algorithm = read(() => {
      const rules = config.props.rules;
      const list = Array.isArray(rules) ? rules : [];
      return list.some((r) => {
        const algo = r?.applyServerSideEncryptionByDefault?.sseAlgorithm;
        return typeof algo === "string" && algo !== "";
      });
    });
    if (!algorithm.known)
      return { ok: "unknown", what: `the rules of ${describe(config)}`, unknown: algorithm.unknown };
    if (algorithm.value) return { ok: true };
  }
  const bucket = node.resource;
  if (bucket !== undefined) {
    const inline = read(
      () => bucket.props.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault,
    );
    if (inline.known && inline.value) return { ok: true };
  }
  return {
    ok: false,
    why:
      node.encryptions.length === 0
        ? "it has no server-side encryption configuration"
        : `${node.encryptions.map(describe).join(", ")} sets no default encryption algorithm`,
  };
}

/** A queue in front of the scanner needs a redrive policy; a directly invoked scanner needs a DLQ. */
function deadLetterPath(graph: StackGraph, route: Route): Check {
  if (route.queue !== undefined) return redriveOf(graph, route.queue);
  return asyncFailureDestinationOf(graph, route.fn);
}

function redriveOf(graph: StackGraph, queue: PolicyResource): Check {
  const own = redriveValue(graph, queue, queue);
  if (own.ok !== false) return own;
  const attached = graph.pointingAt(queue, [AwsTypes.redrivePolicy], "queueUrl", "url");
  for (const policy of attached) {
    const check = redriveValue(graph, policy, queue);
    if (check.ok !== false) return check;
  }
  return { ok: false, why: `${describe(queue)} has no redrive policy to a dead-letter queue` };
}

function redriveValue(graph: StackGraph, holder: PolicyResource, queue: PolicyResource): Check {
  const value = read(() => holder.props.redrivePolicy);
  if (!value.known) {
    // The dead-letter queue's ARN is unknown until it exists; the dependency on it is not.
    if (graph.targets(holder, "redrivePolicy", [AwsTypes.queue]).some((q) => q !== queue))
      return { ok: true };
    return { ok: "unknown", what: `the redrive policy of ${describe(holder)}`, unknown: value.unknown };
  }
  if (typeof value.value !== "string" || value.value === "") return { ok: false, why: "" };
  try {
    const target = JSON.parse(value.value).deadLetterTargetArn;
    return typeof target === "string" && target !== "" ? { ok: true } : { ok: false, why: "" };
  } catch {
    return { ok: false, why: "" };
  }
}

function asyncFailureDestinationOf(graph: StackGraph, fn: PolicyResource): Check {
  const dlq = read(() => fn.props.deadLetterConfig?.targetArn);
  if (dlq.known && typeof dlq.value === "string" && dlq.value !== "") return { ok: true };
  if (!dlq.known) {
    if (graph.targets(fn, "deadLetterConfig", [AwsTypes.queue, AwsTypes.topic]).length > 0)
      return { ok: true };
    return { ok: "unknown", what: `the dead-letter queue of ${describe(fn)}`, unknown: dlq.unknown };
  }
  const configs = graph.pointingAt(fn, [AwsTypes.functionEventInvokeConfig], "functionName", "name");
  for (const config of configs) {
    const destination = read(() => config.props.destinationConfig?.onFailure?.destination);
    if (destination.known && typeof destination.value === "string" && destination.value !== "")
      return { ok: true };
    if (!destination.known) {
      if (
        graph.targets(config, "destinationConfig", [AwsTypes.queue, AwsTypes.topic, AwsTypes.function])
          .length > 0
      ) {
        return { ok: true };
      }
      return {
        ok: "unknown",
        what: `the on-failure destination of ${describe(config)}`,
        unknown: destination.unknown,
      };
    }
  }
  return { ok: false, why: `${describe(fn)} has no dead-letter queue or on-failure destination` };
}
