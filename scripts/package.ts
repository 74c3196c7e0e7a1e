/**
 * Builds and packs what ships to npm: `bucketwarden` (the compiled components and core) and one
 * `@bucketwarden/artifacts-<arch>` package per Lambda architecture (the handler bundles and the layer
 * zips, copied byte for byte from `.build/`, which `npm run build` writes).
 *
 *   tsx scripts/package.ts                 packs all three into .build/package (or --out <dir>)
 *   tsx scripts/package.ts lib             compiles dist/ (the main package's `prepack`)
 *   tsx scripts/package.ts stage <arch>    copies one architecture's artefacts (its `prepack`)
 *
 * npm gives a tarball fixed timestamps and modes, and the inputs are deterministic, so packing the
 * same build twice gives the same bytes.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { PACKAGE_HANDLERS_DIR, PACKAGE_LAYERS_DIR } from "../components/artifacts";
import { HandlerNames, handlerBundleDir } from "../core/artifacts";
import { BucketwardenError } from "../core/errors";
import {
  extractedLayerDir,
  LAYER_BUILD_DIR,
  type LambdaArchitecture,
  LambdaArchitectures,
  LayerKinds,
  layerZipName,
} from "../core/layer-layout";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
const DIST = path.join(PROJECT_ROOT, "dist");

/** The folder of an architecture's artefact package in the repository (an npm workspace). */
export function artifactPackageDir(arch: LambdaArchitecture): string {
  return path.join(PROJECT_ROOT, "artifacts", arch);
}

/** Thrown when the package cannot be built; the message says what to run. */
export class PackageBuildError extends BucketwardenError {}

function run(command: string, args: string[], cwd = PROJECT_ROOT): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new PackageBuildError(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/**
 * Bare module names the compiled library requires, besides Node's built-ins: what the main package
 * needs installed at run time.
 */
export function requiredPackages(distDir: string = DIST): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".js"))
        for (const m of readFileSync(file, "utf8").matchAll(/require\("([^".][^"]*)"\)/g))
          if (!m[1].startsWith("node:"))
            found.add(m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0]);
    }
  };
  walk(distDir);
  return [...found].sort();
}

/** Compiles the library into dist/ and checks it needs nothing at run time but its peers. */
export function buildLib(): void {
  rmSync(DIST, { recursive: true, force: true });
  run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"]);
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
  const allowed = new Set([
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.dependencies ?? {}),
  ]);
  const undeclared = requiredPackages().filter((p) => !allowed.has(p));
  if (undeclared.length > 0)
    throw new PackageBuildError(
      `dist/ requires ${undeclared.join(", ")}, not declared as a dependency or peer`,
    );
}

/** Copies one architecture's handler bundles and layer zips from `.build/` into its package. */
export function stageArtifacts(arch: LambdaArchitecture): string[] {
  const dir = artifactPackageDir(arch);
  const copies: Array<[string, string]> = [];
  for (const handler of HandlerNames)
    copies.push([
      path.join(handlerBundleDir(PROJECT_ROOT, handler), "index.js"),
      path.join(dir, PACKAGE_HANDLERS_DIR, handler, "index.js"),
    ]);
  for (const kind of LayerKinds) {
    const manifest = path.join(extractedLayerDir(PROJECT_ROOT, kind, arch), "clamav", "layer.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).architecture !== arch)
      throw new PackageBuildError(`${manifest} is not a ${arch} layer`);
    copies.push([
      path.join(PROJECT_ROOT, LAYER_BUILD_DIR, layerZipName(kind, arch)),
      path.join(dir, PACKAGE_LAYERS_DIR, layerZipName(kind, arch)),
    ]);
  }
  const missing = copies
    .filter(([from]) => !existsSync(from))
    .map(([from]) => path.relative(PROJECT_ROOT, from));
  if (missing.length > 0)
    throw new PackageBuildError(`not built yet: ${missing.join(", ")}; run \`npm run build\``);
  for (const sub of [PACKAGE_HANDLERS_DIR, PACKAGE_LAYERS_DIR])
    rmSync(path.join(dir, sub), { recursive: true, force: true });
  for (const [from, to] of copies) {
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  return copies.map(([, to]) => to);
}

/** One packed tarball. */
export interface PackedTarball {
  name: string;
  file: string;
  bytes: number;
  unpackedBytes: number;
  entries: number;
  sha256: string;
}

/** Packs the main package and both artefact packages into `outDir` (each `prepack` builds first). */
export function packAll(outDir: string): PackedTarball[] {
  mkdirSync(outDir, { recursive: true });
  const workspaces = LambdaArchitectures.flatMap((a) => ["--workspace", `artifacts/${a}`]);
  const json = run("npm", [
    "pack",
    "--json",
    "--include-workspace-root",
    ...workspaces,
    "--pack-destination",
    outDir,
  ]);
  const packed: Array<{ name: string; filename: string; unpackedSize: number; entryCount: number }> =
    JSON.parse(json.slice(json.indexOf("[")));
  return packed.map((p) => {
    const file = path.join(outDir, p.filename);
    return {
      name: p.name,
      file,
      bytes: statSync(file).size,
      unpackedBytes: p.unpackedSize,
      entries: p.entryCount,
      sha256: createHash("sha256").update(readFileSync(file)).digest("hex"),
    };
  });
}

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function main(argv: string[]): void {
  const [command, arg] = argv;
  if (command === "lib") {
    buildLib();
    return;
  }
  if (command === "stage") {
    const arch = LambdaArchitectures.find((a) => a === arg);
    if (arch === undefined)
      throw new PackageBuildError(`stage takes one of ${LambdaArchitectures.join(", ")}`);
    stageArtifacts(arch);
    return;
  }
  const outIndex = argv.indexOf("--out");
  const outDir = path.resolve(
    outIndex >= 0 ? argv[outIndex + 1] : path.join(PROJECT_ROOT, ".build", "package"),
  );
  for (const t of packAll(outDir))
    console.log(
      `${path.relative(process.cwd(), t.file)}  ${MB(t.bytes)} packed, ${MB(t.unpackedBytes)} unpacked, ` +
        `${t.entries} files, sha256 ${t.sha256}`,
    );
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof PackageBuildError ? error.message : error);
    process.exit(1);
  }
}
