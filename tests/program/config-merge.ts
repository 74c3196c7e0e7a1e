/**
 * The Pulumi engine's rule for project config (`mergeConfig` in pkg/workspace/config.go of
 * pulumi/pulumi), applied before the program runs: a key declared in Pulumi.yaml's `config:` block is
 * missing, and `pulumi preview`/`up` stop with "Stack '<stack>' is missing configuration value", when
 * - the stack does not set it,
 * - its declaration has neither `default` nor `value` (a YAML `null` counts as neither: the engine tests
 *   `!= nil`), and
 * - its namespace is the project's (a key without `:` is in the project's namespace).
 * Otherwise a declared default (or value) is merged into the stack's config. Mocks never run this, so
 * the tests apply it here.
 */
import type { ProjectConfigDeclaration } from "./run-program";

/** The declared keys the engine would report missing for a stack with `stackKeys` set. */
export function missingConfigKeys(
  projectName: string,
  declared: Record<string, ProjectConfigDeclaration & { value?: unknown }>,
  stackKeys: readonly string[],
): string[] {
  const missing: string[] = [];
  for (const [key, declaration] of Object.entries(declared)) {
    const full = key.includes(":") ? key : `${projectName}:${key}`;
    const namespace = full.slice(0, full.indexOf(":"));
    const hasDefault = declaration.default !== undefined && declaration.default !== null;
    const hasValue = declaration.value !== undefined && declaration.value !== null;
    if (!stackKeys.includes(full) && !hasDefault && !hasValue && namespace === projectName) missing.push(key);
  }
  return missing.sort();
}
