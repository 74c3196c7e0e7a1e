/**
 * Stack config as the Pulumi CLI hands it to the program: the stack file's values, plus the project
 * file's defaults for keys the stack leaves unset, each as a string (structured values as JSON).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

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

/** The config the CLI would give the program for `Pulumi.<stack>.yaml`. */
export function stackConfig(stack: string): Record<string, string> {
  const file = parse(readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  const config: Record<string, string> = {};
  for (const [key, declaration] of Object.entries(projectConfig()))
    if (declaration.default !== undefined)
      config[`bucketwarden:${key}`] = asConfigString(declaration.default);
  for (const [key, value] of Object.entries(file.config ?? {})) config[key] = asConfigString(value);
  return config;
}
