/**
 * Running the program (index.ts) under mocks as `pulumi up` would: with the stack config the CLI hands
 * it (the stack file's values, plus the project file's defaults for keys the stack leaves unset, each
 * as a string, structured values as JSON). The policy pack's tests use this too, to check the real
 * program's resources.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { installPulumiMocks, type PulumiRecorder } from "../support/pulumi-mocks";

export const PROJECT_ROOT = path.resolve(__dirname, "../..");

export interface ProjectConfigDeclaration {
  type: "string" | "integer" | "boolean" | "array";
  items?: { type: string };
  default?: unknown;
  description?: string;
}

/** The `config:` section of Pulumi.yaml, keyed by setting name without the namespace. */
export function projectConfig(): Record<string, ProjectConfigDeclaration> {
  return parse(readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")).config;
}

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The `config:` section of `Pulumi.<stack>.yaml`, as written. */
export function stackFileConfig(stack: string): Record<string, unknown> {
  return parse(readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8")).config ?? {};
}

/** The config the CLI would give the program for `Pulumi.<stack>.yaml`. */
export function stackConfig(stack: string): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, declaration] of Object.entries(projectConfig()))
    if (declaration.default !== undefined)
      config[`bucketwarden:${key}`] = asConfigString(declaration.default);
  for (const [key, value] of Object.entries(stackFileConfig(stack))) config[key] = asConfigString(value);
  return config;
}

const PROGRAM = path.join(PROJECT_ROOT, "index.ts");

/**
 * Runs index.ts afresh under new mocks with `config`, and returns its recorder and exports without
 * waiting: a bad setting throws here, before any resource is registered.
 */
export function loadProgram(config: Record<string, string>): {
  rec: PulumiRecorder;
  exports: Record<string, unknown>;
} {
  const rec = installPulumiMocks({ project: "bucketwarden", stack: "dev", config });
  delete require.cache[require.resolve(PROGRAM)];
  return { rec, exports: require(PROGRAM) };
}

/** Runs index.ts with `Pulumi.<stack>.yaml` (and `overrides`) and waits until every resource is registered. */
export async function recordProgram(
  stack = "dev",
  overrides: Record<string, string> = {},
): Promise<{ rec: PulumiRecorder; exports: Record<string, unknown> }> {
  const loaded = loadProgram({ ...stackConfig(stack), ...overrides });
  await loaded.rec.settle();
  return loaded;
}
