/**
 * The pack as `pulumi policy publish` ships it: `npm pack` of `policies/` alone. Its entry point is the
 * committed bundle, which must match a fresh build and load nothing from outside the package.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { rules } from "../../../policies/rules";
import { bundlePack, PACK_BUNDLE, PACK_EXTERNALS } from "../../../policies/tools/bundle";
import { POLICIES_DIR } from "../support/pack-modules";
import { PackProcess } from "../support/pack-process";

const ROOT = path.resolve(POLICIES_DIR, "..");
const manifest = () => JSON.parse(readFileSync(path.join(POLICIES_DIR, "package.json"), "utf8"));

/** The files `npm pack` puts in the published pack, relative to `policies/`. */
function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: POLICIES_DIR,
    encoding: "utf8",
  });
  return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path).sort();
}

describe("policy pack: self-contained for pulumi policy publish", function () {
  this.timeout(180_000);

  it("is committed exactly as a fresh build makes it, so it cannot drift from the rules", async () => {
    assert.equal(readFileSync(path.join(ROOT, PACK_BUNDLE), "utf8"), await bundlePack());
  });

  it("loads only the pack's own dependencies and Node's built-ins: core is inlined", () => {
    const bundle = readFileSync(path.join(ROOT, PACK_BUNDLE), "utf8");
    const loaded = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    const foreign = loaded.filter(
      (id) =>
        !PACK_EXTERNALS.some((p) => id === p || id.startsWith(`${p}/`)) &&
        !builtinModules.includes(id.replace(/^node:/, "")),
    );
    assert.deepEqual(foreign, []);
    for (const dep of PACK_EXTERNALS) assert.ok(manifest().dependencies[dep], `${dep} is not a dependency`);
  });

  it("names the bundle as the package's main, and npm pack ships it with PulumiPolicy.yaml", () => {
    assert.equal(path.join("policies", manifest().main), PACK_BUNDLE);
    const files = packedFiles();
    for (const f of [manifest().main, "PulumiPolicy.yaml", "package.json"]) assert.ok(files.includes(f), f);
    assert.deepEqual(
      files.filter((f) => f.endsWith(".ts")),
      [],
      "TypeScript sources importing ../core would be shipped without core",
    );
  });

  it("serves every rule from only the files npm pack ships", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bw-published-pack-"));
    let pack: PackProcess | undefined;
    try {
      for (const f of packedFiles())
        cpSync(path.join(POLICIES_DIR, f), path.join(dir, f), { recursive: true });
      // The service installs the pack's dependencies; here, the ones already installed.
      const modules = existsSync(path.join(POLICIES_DIR, "node_modules"))
        ? path.join(POLICIES_DIR, "node_modules")
        : path.join(ROOT, "node_modules");
      symlinkSync(modules, path.join(dir, "node_modules"));
      pack = await PackProcess.start(170_000, dir);
      const info = await pack.info();
      assert.equal(info.name, "bucketwarden");
      assert.deepEqual(
        info.policies.map((p) => p.name),
        rules.map((r) => r.name),
      );
    } finally {
      pack?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
