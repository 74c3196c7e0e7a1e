/**
 * `npm run build:layers`: builds the freshclam and scanner Lambda layers for x86_64 and arm64 from
 * Debian's ClamAV packages. Writes `.build/layers/<kind>-<arch>.zip` and leaves the same layer
 * extracted beside it. A layer whose inputs (package versions, this build's code, its tools) are
 * unchanged since the last build is not rebuilt.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import {
  DebianArchitectures,
  extractedLayerDir,
  LAYER_BUILD_DIR,
  type LambdaArchitecture,
  LambdaArchitectures,
  type LayerKind,
  LayerKinds,
  LayerTools,
  layerPaths,
  layerZipName,
} from "../core/layer-layout";
import { Apt, type DebPackage, type Log } from "./apt";
import { LayerSizeError } from "./errors";
import { type Runner, run } from "./exec";
import { withLock } from "./lock";
import { PackageStore } from "./packages";
import { packagesOf, resolveLayer } from "./resolve";
import { CA_PACKAGE } from "./spec";
import { type LayerManifest, stageLayer } from "./stage";
import { compareText } from "./text";
import { directoryEntries, writeZip } from "./zip";

/** Lambda's limit on a function's unzipped code and layers together: 250 MiB. */
export const LAMBDA_UNZIPPED_LIMIT = 262_144_000;

export interface BuildOptions {
  /** @default the repository this file is in */
  projectRoot?: string;
  /** @default both of {@link LambdaArchitectures} */
  architectures?: readonly LambdaArchitecture[];
  /** @default both of {@link LayerKinds} */
  kinds?: readonly LayerKind[];
  /** Rebuild even when the inputs are unchanged. @default false */
  force?: boolean;
  /** @default console.log */
  log?: Log;
  /** @default {@link run} */
  exec?: Runner;
}

export interface BuiltLayer {
  kind: LayerKind;
  arch: LambdaArchitecture;
  zip: string;
  dir: string;
  zipBytes: number;
  unzippedBytes: number;
  /** Whether the layer was left as it was because its inputs had not changed. */
  upToDate: boolean;
  seconds: number;
}

/** Builds the layers (or confirms them up to date) and returns what is in `.build/layers`. */
export async function buildLayers(options: BuildOptions = {}): Promise<BuiltLayer[]> {
  const projectRoot = options.projectRoot ?? resolve(__dirname, "..");
  return withLock(join(projectRoot, LAYER_BUILD_DIR, ".lock"), () => build(projectRoot, options));
}

async function build(projectRoot: string, options: BuildOptions): Promise<BuiltLayer[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const exec = options.exec ?? run;
  const outDir = join(projectRoot, LAYER_BUILD_DIR);
  const cacheDir = join(outDir, "cache");
  const apt = new Apt(cacheDir, log, exec);
  const codeHash = buildCodeHash(projectRoot, exec);

  const built: BuiltLayer[] = [];
  for (const arch of options.architectures ?? LambdaArchitectures) {
    apt.ensureArchitecture(DebianArchitectures[arch]);
    const store = new PackageStore(apt, arch, join(cacheDir, "extracted"));
    for (const kind of options.kinds ?? LayerKinds) {
      const started = Date.now();
      const zip = join(outDir, layerZipName(kind, arch));
      const dir = extractedLayerDir(projectRoot, kind, arch);
      const stamp = `${dir}.stamp`;

      let upToDate = false;
      if (
        !options.force &&
        existsSync(zip) &&
        existsSync(stamp) &&
        existsSync(layerPaths(dir, arch).manifest)
      ) {
        const manifest = JSON.parse(readFileSync(layerPaths(dir, arch).manifest, "utf8")) as LayerManifest;
        const names = [...manifest.packages.map((p) => p.name), ...manifest.missing.map((m) => m.pkg)];
        upToDate =
          readFileSync(stamp, "utf8").trim() === inputsHash(codeHash, kind, arch, offered(store, names));
      }

      if (!upToDate) {
        const resolution = resolveLayer(store, LayerTools[kind]);
        const caCertificates = kind === "freshclam" ? store.get(CA_PACKAGE) : undefined;
        const packages = packagesOf(resolution);
        if (caCertificates) packages.push(caCertificates.pkg);
        packages.sort((a, b) => compareText(a.name, b.name));

        const staging = `${dir}.staging`;
        stageLayer({ dir: staging, kind, arch, resolution, caCertificates, packages, exec });
        const entries = directoryEntries(staging);
        const unzipped = entries.reduce((n, e) => n + (e.data?.length ?? 0), 0);
        if (unzipped > LAMBDA_UNZIPPED_LIMIT)
          throw new LayerSizeError(`${kind}-${arch}`, unzipped, LAMBDA_UNZIPPED_LIMIT);

        mkdirSync(outDir, { recursive: true });
        writeFileSync(`${zip}.partial`, await writeZip(entries));
        renameSync(`${zip}.partial`, zip);
        rmSync(dir, { recursive: true, force: true });
        renameSync(staging, dir);
        const names = [...packages.map((p) => p.name), ...resolution.missing.map((m) => m.pkg)];
        writeFileSync(stamp, `${inputsHash(codeHash, kind, arch, offered(store, names))}\n`);
      }

      const layer: BuiltLayer = {
        kind,
        arch,
        zip,
        dir,
        zipBytes: statSync(zip).size,
        unzippedBytes: directorySize(dir),
        upToDate,
        seconds: (Date.now() - started) / 1000,
      };
      log(reportLine(layer));
      built.push(layer);
    }
  }
  return built;
}

/** One line of the build report: sizes against Lambda's limit. */
export function reportLine(layer: BuiltLayer): string {
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  const share = ((100 * layer.unzippedBytes) / LAMBDA_UNZIPPED_LIMIT).toFixed(0);
  return (
    `${layerZipName(layer.kind, layer.arch)}: ${mb(layer.zipBytes)} zipped, ${mb(layer.unzippedBytes)} unzipped ` +
    `(${share}% of Lambda's 250 MiB), ${layer.upToDate ? "up to date" : `built in ${layer.seconds.toFixed(1)} s`}`
  );
}

/** What a layer is made from: this build's code and tools, and the exact package versions. */
export function inputsHash(
  codeHash: string,
  kind: LayerKind,
  arch: LambdaArchitecture,
  pkgs: DebPackage[],
): string {
  const lines = pkgs.map((p) => `${p.name}:${p.arch}=${p.version}`).sort(compareText);
  return createHash("sha256")
    .update([codeHash, kind, arch, ...lines].join("\n"))
    .digest("hex");
}

// The zip bytes also depend on zlib and the ELF edits on patchelf, so their versions count as code.
function buildCodeHash(projectRoot: string, exec: Runner): string {
  const hash = createHash("sha256");
  const layersDir = join(projectRoot, "layers");
  const sources = readdirSync(layersDir)
    .filter((name) => name.endsWith(".ts"))
    .sort(compareText)
    .map((name) => join(layersDir, name));
  for (const file of [...sources, join(projectRoot, "core/layer-layout.ts")]) {
    hash.update(file.slice(projectRoot.length)).update(readFileSync(file));
  }
  hash.update(`zlib ${process.versions.zlib}\n${exec("patchelf", ["--version"])}`);
  return hash.digest("hex");
}

// What apt offers now of each package; one that it does not offer counts as version "none", so a
// missing optional package that appears (non-free enabled) triggers a rebuild.
function offered(store: PackageStore, names: readonly string[]): DebPackage[] {
  const selected = store.select(names);
  return names.map((name) => selected.get(name) ?? { name, arch: "none", version: "none" });
}

function directorySize(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, item) => {
    const path = join(dir, item.name);
    return n + (item.isDirectory() ? directorySize(path) : statSync(path).size);
  }, 0);
}

async function main(argv: readonly string[]): Promise<void> {
  const archArg = argv.find((a) => a.startsWith("--arch="))?.slice("--arch=".length);
  if (archArg && !(LambdaArchitectures as readonly string[]).includes(archArg)) {
    throw new Error(`--arch must be one of ${LambdaArchitectures.join(", ")}`);
  }
  const started = Date.now();
  const layers = await buildLayers({
    force: argv.includes("--force"),
    architectures: archArg ? [archArg as LambdaArchitecture] : undefined,
  });
  const total = layers.reduce((n, l) => n + l.unzippedBytes, 0);
  console.log(
    `${layers.length} layers in ${((Date.now() - started) / 1000).toFixed(1)} s, ${total} bytes unzipped`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
