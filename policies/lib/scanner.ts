/**
 * Which Lambda functions run the scanning engine. A function does when either
 * - its environment sets the scanner's tag-key variable (`BW_TAG_KEY`, core's `EnvVars.tagKey`),
 *   which only core's `scannerEnvironment` writes and only the scanner handler reads: this is how a
 *   bucketwarden scanner is recognised, whatever its layers are called; or
 * - one of its layers is named like one of `scannerLayerNames` (default `*clamscan*`): a
 *   LayerVersion of the stack reached through the function's `layers` dependency, or a layer ARN
 *   from outside the stack. This recognises scanners built by other programs (the seed's
 *   `clamscanLayer`).
 * Both signals are read from dependencies and literal values, so they work during preview; when
 * every signal is unknown, the answer is unknown, never "no".
 */
import type { PolicyResource } from "@pulumi/policy";
import { EnvVars } from "../../core/handler-config";
import { DEFAULT_SCANNER_LAYER_NAMES, type ScannerArgs } from "./config";
import { globMatch } from "./glob";
import { describe, type StackGraph } from "./stack";
import { AwsTypes } from "./types";
import { read, type UnknownValueError } from "./unknowns";

export type ScannerVerdict =
  | { kind: "scanner" }
  | { kind: "not-scanner"; why: string }
  | { kind: "unknown"; what: string; unknown: UnknownValueError };

export function scannerVerdict(graph: StackGraph, fn: PolicyResource, args: ScannerArgs): ScannerVerdict {
  const patterns = args.scannerLayerNames ?? DEFAULT_SCANNER_LAYER_NAMES;
  const unknowns: { what: string; unknown: UnknownValueError }[] = [];

  const vars = environmentOf(fn);
  if (vars.known && vars.value !== undefined && Object.hasOwn(vars.value, EnvVars.tagKey)) {
    return { kind: "scanner" };
  }
  if (!vars.known) unknowns.push({ what: `the environment of ${describe(fn)}`, unknown: vars.unknown });

  const layerNames: string[] = [];
  const layerResources = graph.targets(fn, "layers", [AwsTypes.layerVersion]);
  for (const layer of layerResources) {
    const name = read(() => layer.props.layerName);
    if (name.known) layerNames.push(String(name.value));
    else unknowns.push({ what: `the name of ${describe(layer)}`, unknown: name.unknown });
  }
  // Layer ARNs written as literals; unknown ones are the LayerVersions above.
  const arns = read(() => fn.props.layers);
  const elements = arns.known && Array.isArray(arns.value) ? arns.value : [];
  for (let i = 0; i < elements.length; i++) {
    const arn = read(() => elements[i]);
    if (arn.known) layerNames.push(layerNameOfArn(graph, String(arn.value)));
    else if (layerResources.length === 0)
      unknowns.push({ what: `the layers of ${describe(fn)}`, unknown: arn.unknown });
  }
  if (!arns.known && layerResources.length === 0) {
    unknowns.push({ what: `the layers of ${describe(fn)}`, unknown: arns.unknown });
  }
  if (layerNames.some((n) => patterns.some((p) => globMatch(p, n)))) return { kind: "scanner" };

  if (unknowns.length > 0) return { kind: "unknown", ...unknowns[0] };
  return {
    kind: "not-scanner",
    why: `it neither sets ${EnvVars.tagKey} nor has a layer named like ${patterns.join(" or ")}`,
  };
}

/** The function's environment variables: a plain record of what is known. */
export function environmentOf(fn: PolicyResource) {
  return read(() => {
    const env = fn.props.environment;
    const vars = env === undefined || env === null ? undefined : env.variables;
    return vars === undefined || vars === null ? undefined : (vars as Record<string, unknown>);
  });
}

// arn:aws:lambda:region:account:layer:NAME:VERSION; a LayerVersion of the stack is named by its props.
function layerNameOfArn(graph: StackGraph, arn: string): string {
  const inStack = graph.withValue([AwsTypes.layerVersion], ["arn"], arn)[0];
  const name = inStack === undefined ? undefined : read(() => inStack.props.layerName);
  if (name?.known) return String(name.value);
  const parts = arn.split(":");
  return parts.length >= 7 && parts[5] === "layer" ? parts[6] : arn;
}

/** The stack's scanner functions, and the roles that bucket policies may exempt. */
export interface Scanners {
  readonly functions: PolicyResource[];
  /** Known role ARNs of the scanner functions. */
  readonly roles: ReadonlySet<string>;
  /** Set when a role, or whether a function is a scanner, is unknown during preview. */
  readonly unknown?: { what: string; unknown: UnknownValueError };
}

export function findScanners(graph: StackGraph, args: ScannerArgs): Scanners {
  const functions: PolicyResource[] = [];
  const roles = new Set<string>();
  let unknown: Scanners["unknown"];
  for (const fn of graph.ofType([AwsTypes.function])) {
    const verdict = scannerVerdict(graph, fn, args);
    if (verdict.kind === "unknown") {
      unknown ??= verdict;
      continue;
    }
    if (verdict.kind !== "scanner") continue;
    functions.push(fn);
    const role = read(() => fn.props.role);
    if (role.known) roles.add(String(role.value));
    else unknown ??= { what: `the role of ${describe(fn)}`, unknown: role.unknown };
  }
  return { functions, roles, unknown };
}
