/**
 * Lays out one layer in a folder, in the shape of core/layer-layout.ts: the tools in `bin/` with
 * their interpreter and RUNPATH pointing into the layer, every library and the loader in
 * `clamav/lib/`, configuration in `clamav/etc/`, and `clamav/layer.json` saying what was used.
 */
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  type ClamTool,
  DebianArchitectures,
  DynamicLoaders,
  LAMBDA_LAYER_ROOT,
  type LambdaArchitecture,
  type LayerKind,
  layerPaths,
  PRIVATE_DIR,
} from "../core/layer-layout";
import type { DebPackage } from "./apt";
import { readElf } from "./elf";
import { LayerBuildError } from "./errors";
import { type Runner, run } from "./exec";
import type { ExtractedPackage } from "./packages";
import type { Resolution } from "./resolve";
import { CA_SOURCE_DIR, CLAMAV_VERSION, DEFAULT_FRESHCLAM_CONF, GconvLayers, gconvSourceDir } from "./spec";
import { compareText } from "./text";

/** `clamav/layer.json`: what a layer was built from. */
export interface LayerManifest {
  kind: LayerKind;
  architecture: LambdaArchitecture;
  debianArchitecture: string;
  clamav: string;
  tools: ClamTool[];
  /** Path of the dynamic loader inside the layer. */
  loader: string;
  /** Every Debian package a file of the layer comes from, sorted by name. */
  packages: DebPackage[];
  /** Each library's soname and the package it was taken from. */
  libraries: Record<string, string>;
  /** glibc's iconv modules, if the layer has them. */
  gconv?: string;
  /** Optional parts left out because apt had no package for them, and what that costs. */
  missing: Array<{ soname: string; pkg: string; without: string }>;
}

export interface StageInput {
  dir: string;
  kind: LayerKind;
  arch: LambdaArchitecture;
  resolution: Resolution;
  /** The extracted CA certificates package, for the freshclam layer. */
  caCertificates?: ExtractedPackage;
  packages: DebPackage[];
  exec?: Runner;
}

/** Writes the layer into `dir` (replacing it) and returns its manifest. */
export function stageLayer(input: StageInput): LayerManifest {
  const { dir, kind, arch, resolution } = input;
  const exec = input.exec ?? run;
  const paths = layerPaths(dir, arch);
  rmSync(dir, { recursive: true, force: true });
  for (const folder of [paths.bin, paths.lib, paths.etc]) mkdirSync(folder, { recursive: true });

  // Absolute, because the kernel reads PT_INTERP before anything could resolve $ORIGIN.
  const interpreter = layerPaths(LAMBDA_LAYER_ROOT, arch).loader;
  for (const [tool, source] of resolution.tools) {
    const target = `${paths.bin}/${tool}`;
    copyFileSync(source.path, target);
    chmodSync(target, 0o755);
    exec("patchelf", [
      "--set-interpreter",
      interpreter,
      "--set-rpath",
      `$ORIGIN/../${PRIVATE_DIR}/lib`,
      target,
    ]);
  }

  const needRunpath: string[] = [];
  for (const [soname, source] of [...resolution.libraries].sort(([a], [b]) => compareText(a, b))) {
    const target = `${paths.lib}/${soname}`;
    copyFileSync(source.path, target);
    chmodSync(target, soname === DynamicLoaders[arch] ? 0o755 : 0o644);
    // RUNPATH is not inherited: each library must find its own dependencies beside itself when the
    // tools run without --library-path. glibc's objects need no help: they only need each other.
    if (source.from.pkg.name !== "libc6" && readElf(readFileSync(target)).needed.length > 0)
      needRunpath.push(target);
  }
  if (needRunpath.length > 0) exec("patchelf", ["--set-rpath", "$ORIGIN", ...needRunpath]);

  if (GconvLayers.includes(kind)) {
    const glibc = resolution.libraries.get("libc.so.6");
    if (!glibc) throw new LayerBuildError("no libc.so.6 among the libraries, so no iconv modules");
    // The modules find their helper libraries (libJIS.so...) beside themselves: Debian gives them RUNPATH $ORIGIN.
    cpSync(join(glibc.from.root, gconvSourceDir(arch)), paths.gconv, { recursive: true, dereference: true });
  }

  if (kind === "freshclam") {
    if (!input.caCertificates)
      throw new LayerBuildError("the freshclam layer needs the CA certificates package");
    mkdirSync(`${paths.etc}/ssl`, { recursive: true });
    writeFileSync(paths.caBundle, caBundle(join(input.caCertificates.root, CA_SOURCE_DIR)));
    writeFileSync(paths.freshclamConf, DEFAULT_FRESHCLAM_CONF);
  }

  const manifest: LayerManifest = {
    kind,
    architecture: arch,
    debianArchitecture: DebianArchitectures[arch],
    clamav: CLAMAV_VERSION,
    tools: [...resolution.tools.keys()],
    loader: `${PRIVATE_DIR}/lib/${DynamicLoaders[arch]}`,
    packages: input.packages,
    libraries: Object.fromEntries(
      [...resolution.libraries]
        .sort(([a], [b]) => compareText(a, b))
        .map(([soname, source]) => [soname, source.from.pkg.name]),
    ),
    gconv: GconvLayers.includes(kind) ? `${PRIVATE_DIR}/lib/gconv` : undefined,
    missing: resolution.missing.map(({ soname, pkg, without }) => ({ soname, pkg, without })),
  };
  writeFileSync(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The bundle update-ca-certificates would write: every certificate, in file name order. */
export function caBundle(certificateDir: string): Buffer {
  const names = readdirSync(certificateDir)
    .filter((name) => name.endsWith(".crt"))
    .sort(compareText);
  return Buffer.concat(
    names.map((name) => {
      const pem = readFileSync(join(certificateDir, name));
      return pem[pem.length - 1] === 0x0a ? pem : Buffer.concat([pem, Buffer.from("\n")]);
    }),
  );
}
