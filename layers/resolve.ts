/**
 * Finds every file a layer needs by walking the tools' ELF dependencies through the packages
 * themselves: each `DT_NEEDED` soname is looked up in the package that needs it and then in that
 * package's direct dependencies, which is where Debian's shlibs system puts it.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { type ClamTool, DynamicLoaders } from "../core/layer-layout";
import type { DebPackage } from "./apt";
import { ElfMachines, readElf } from "./elf";
import { ElfError, MissingLibraryError, PackageUnavailableError } from "./errors";
import type { ExtractedPackage, PackageStore } from "./packages";
import { DlopenedLibraries, type DlopenedLibrary, ToolSources } from "./spec";
import { compareText } from "./text";

/** A file of an extracted package that goes into the layer. */
export interface SourceFile {
  path: string;
  from: ExtractedPackage;
}

export interface Resolution {
  tools: Map<ClamTool, SourceFile>;
  /** Every shared library, the dynamic loader included, by soname. */
  libraries: Map<string, SourceFile>;
  /** Optional `dlopen`ed libraries apt could not supply. */
  missing: DlopenedLibrary[];
}

/**
 * Resolves what `tools` need, downloading packages through `store` as the walk reaches them. The walk
 * goes in waves (the tools, then what they need, then what that needs...); each wave fetches the
 * packages it has to look into together, one apt call per tier of {@link rankDependencies}.
 */
export function resolveLayer(store: PackageStore, tools: readonly ClamTool[]): Resolution {
  const resolution: Resolution = { tools: new Map(), libraries: new Map(), missing: [] };
  store.fetch(
    tools.map((tool) => ToolSources[tool].pkg),
    true,
  );
  let wave: SourceFile[] = [];
  for (const tool of tools) {
    const source = ToolSources[tool];
    const from = store.get(source.pkg);
    if (!from) throw new PackageUnavailableError(source.pkg, store.arch);
    const file = { path: `${from.root}/${source.path}`, from };
    resolution.tools.set(tool, file);
    wave.push(file);
  }

  while (wave.length > 0) {
    const wants = new Map<string, Want>();
    for (const file of wave) {
      for (const want of wantsOf(store, file)) {
        if (!resolution.libraries.has(want.soname) && !wants.has(want.soname)) wants.set(want.soname, want);
      }
    }
    wave = [];
    // Tier 0 looks only in packages at hand; tier n also fetches the first n tiers of candidates.
    for (let tier = 0; tier <= 3 && wants.size > 0; tier++) {
      store.fetch([...wants.values()].flatMap((want) => want.tiers.slice(0, tier).flat()));
      for (const want of wants.values()) {
        const found = findIn(store, want);
        if (!found) continue;
        resolution.libraries.set(want.soname, found);
        wave.push(found);
        wants.delete(want.soname);
      }
    }
    for (const want of wants.values()) {
      if (!want.dlopen?.optional) {
        throw new MissingLibraryError(want.soname, want.neededBy.path, [
          want.neededBy.from.pkg.name,
          ...want.tiers.flat(),
        ]);
      }
      resolution.missing.push(want.dlopen);
    }
  }
  return resolution;
}

/** A soname some object needs, and where to look for it. */
interface Want {
  soname: string;
  neededBy: SourceFile;
  /** Packages to search beyond the one that needs it, most likely first. */
  tiers: string[][];
  dlopen?: DlopenedLibrary;
}

function wantsOf(store: PackageStore, file: SourceFile): Want[] {
  const elf = readElf(readFileSync(file.path));
  if (elf.machine !== ElfMachines[store.arch]) {
    throw new ElfError(`${file.path} is ELF machine ${elf.machine}, not ${store.arch}`);
  }
  const sonames = [...elf.needed];
  if (elf.interpreter) {
    // The layer ships the loader under this name; a tool asking for another one would not start.
    if (basename(elf.interpreter) !== DynamicLoaders[store.arch]) {
      throw new ElfError(`${file.path} wants interpreter ${elf.interpreter}`);
    }
    sonames.push(DynamicLoaders[store.arch]);
  }
  const wants: Want[] = sonames.map((soname) => ({
    soname,
    neededBy: file,
    tiers: rankDependencies(file.from.depends, soname),
  }));
  for (const dlopen of DlopenedLibraries.filter((d) => d.loadedBy === elf.soname)) {
    wants.push({ soname: dlopen.soname, neededBy: file, tiers: [[dlopen.pkg]], dlopen });
  }
  return wants;
}

// Looks in the package that needs the library and in those of its candidates already fetched.
function findIn(store: PackageStore, want: Want): SourceFile | undefined {
  const candidates = [
    want.neededBy.from,
    ...want.tiers
      .flat()
      .filter((name) => store.has(name))
      .map((name) => store.get(name)),
  ];
  for (const from of candidates) {
    const path = from && store.findLibrary(from, want.soname);
    if (from && path) return { path, from };
  }
  return undefined;
}

/** The packages a resolution takes files from, sorted by name. */
export function packagesOf(resolution: Resolution): DebPackage[] {
  const all = [...resolution.tools.values(), ...resolution.libraries.values()].map((f) => f.from.pkg);
  const unique = new Map(all.map((pkg) => [pkg.name, pkg]));
  return [...unique.values()].sort((a, b) => compareText(a.name, b.name));
}

/**
 * Orders the dependencies to search for `soname`: library packages named like it first (libssl3 for
 * libssl.so.3), then other library packages, then the rest (adduser, debconf...), which are
 * downloaded only if no library package had it.
 */
export function rankDependencies(depends: readonly string[], soname: string): string[][] {
  const squash = (s: string) => s.replace(/^lib/, "").replace(/[^a-z0-9]/g, "");
  const stem = squash(soname.replace(/\.so(\..*)?$/, ""));
  const isLibrary = (name: string) => name.startsWith("lib") || name.startsWith("zlib");
  const likely = depends.filter((d) => isLibrary(d) && squash(d).startsWith(stem));
  const libraries = depends.filter((d) => isLibrary(d) && !likely.includes(d));
  const others = depends.filter((d) => !isLibrary(d));
  return [likely, libraries, others].filter((tier) => tier.length > 0);
}
