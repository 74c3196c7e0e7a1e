import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BucketwardenError, ConfigError } from "../../core/errors";

const ROOT = join(__dirname, "../..");

/** The folders whose TypeScript makes up the project (sources, not tests or generated bundles). */
const SOURCE_DIRS = [
  "core",
  "components",
  "handlers",
  "local",
  "cli",
  "bench",
  "policies",
  "layers",
  "scripts",
];

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "bin") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/**
 * Every class that is, by its name or its base's, an error: `class XError extends Y` or
 * `class X extends YError` (and `extends Error`). Read from the source rather than from what modules
 * export, so that an error class nobody exports (or a new module) cannot slip past.
 */
function declaredErrorClasses(): Array<{ file: string; name: string; base: string }> {
  const found: Array<{ file: string; name: string; base: string }> = [];
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bclass\s+(\w+)\s+extends\s+([\w.]+)/g)) {
      const [, name, base] = m;
      if (/Error$/.test(name) || /Error$/.test(base)) found.push({ file, name, base });
    }
  }
  return found;
}

/**
 * The one error class that cannot be under the root, and the foreign base it must keep: the policy
 * pack's `UndecidedError` is thrown to the Pulumi engine, whose policy server recognises a rule that
 * could not decide during preview only by `instanceof` its own `UnknownValueError`.
 */
const FOREIGN_BASES: Record<string, string> = { UndecidedError: "UnknownValueError" };

describe("core/errors: one error root", () => {
  const classes = declaredErrorClasses();

  it("finds the project's error classes (the scan itself works)", () => {
    const names = classes.map((c) => c.name);
    for (const known of ["ConfigError", "EventPublishError", "StoreError", "LayerBuildError", "JournalError"])
      assert.ok(names.includes(known), `${known} not found among ${names.join(", ")}`);
  });

  for (const { file, name, base } of declaredErrorClasses()) {
    const where = relative(ROOT, file);
    if (FOREIGN_BASES[name] !== undefined) {
      it(`${name} (${where}) keeps the engine's ${FOREIGN_BASES[name]} as its base, the one exception`, () =>
        assert.equal(base, FOREIGN_BASES[name]));
      continue;
    }
    it(`${name} (${where}) is exported and extends BucketwardenError`, () => {
      const exported = (require(file) as Record<string, unknown>)[name];
      assert.equal(typeof exported, "function", `${name} is not exported from ${where}`);
      const instance = Object.create((exported as { prototype: object }).prototype) as unknown;
      assert.ok(
        instance instanceof BucketwardenError,
        `${name} in ${where} does not extend BucketwardenError`,
      );
    });
  }

  it("names each error after its class and keeps its cause", () => {
    const cause = new Error("underlying");
    const error = new ConfigError("BW_TAG_KEY", "is wrong", { cause });
    assert.equal(error.name, "ConfigError");
    assert.equal(error.cause, cause);
    assert.ok(error instanceof BucketwardenError && error instanceof Error);
  });
});
