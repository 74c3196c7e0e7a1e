/**
 * The Debian packages of one architecture, chosen, downloaded and extracted on demand. ClamAV's own
 * packages are pinned to {@link CLAMAV_VERSION}; every other package is apt's candidate version.
 */
import { lstatSync, readFileSync, readlinkSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DebianArchitectures, type LambdaArchitecture } from "../core/layer-layout";
import { type Apt, type DebPackage, parseControl, parseDepends } from "./apt";
import { PackageUnavailableError } from "./errors";
import { CLAMAV_VERSION, ClamavPackages, DebianTriplets } from "./spec";

/** A package downloaded and extracted. */
export interface ExtractedPackage {
  pkg: DebPackage;
  /** Folder the package's files were extracted into, as if it were `/`. */
  root: string;
  /** The first alternative of each `Depends` and `Pre-Depends` relation. */
  depends: string[];
}

/** Whether `version` is a Debian revision of upstream `upstream` (`1.4.6+dfsg-0+deb12u1` of `1.4.6`). */
export function isRevisionOf(version: string, upstream: string): boolean {
  const withoutEpoch = version.replace(/^\d+:/, "");
  return withoutEpoch.startsWith(upstream) && /^([+~-]|$)/.test(withoutEpoch.slice(upstream.length));
}

export class PackageStore {
  private readonly extracted = new Map<string, ExtractedPackage | undefined>();
  private readonly debArch: string;

  constructor(
    private readonly apt: Apt,
    readonly arch: LambdaArchitecture,
    private readonly extractDir: string,
  ) {
    this.debArch = DebianArchitectures[arch];
  }

  /**
   * The version of each named package the layers take; a package apt does not offer is absent.
   * `required` packages refresh apt's lists once if they are missing, then fail the build.
   */
  select(names: readonly string[], required = false): Map<string, DebPackage> {
    let offered = this.apt.policy(names, this.debArch);
    if (required && offered.size < names.length && this.apt.refreshLists()) {
      offered = this.apt.policy(names, this.debArch);
    }
    const selected = new Map<string, DebPackage>();
    for (const [name, entry] of offered) {
      let version = entry.candidate;
      if ((ClamavPackages as readonly string[]).includes(name)) {
        version = entry.downloadable.find((v) => isRevisionOf(v, CLAMAV_VERSION));
        if (!version) throw new PackageUnavailableError(name, `ClamAV ${CLAMAV_VERSION}`);
      }
      if (version) selected.set(name, { name, arch: entry.arch, version });
    }
    const unavailable = names.find((name) => required && !selected.has(name));
    if (unavailable) throw new PackageUnavailableError(unavailable, this.debArch);
    return selected;
  }

  /** Downloads and extracts the packages not yet at hand, with one apt call for all of them. */
  fetch(names: readonly string[], required = false): void {
    const wanted = [...new Set(names)].filter((name) => !this.extracted.has(name));
    if (wanted.length === 0) return;
    const selected = this.select(wanted, required);
    for (const { pkg, deb } of this.apt.download([...selected.values()])) {
      const root = this.apt.extract(deb, join(this.extractDir, basename(deb, ".deb")));
      const control = parseControl(readFileSync(join(root, "DEBIAN/control"), "utf8"));
      const depends = ["Pre-Depends", "Depends"].flatMap((field) => parseDepends(control.get(field) ?? ""));
      this.extracted.set(pkg.name, { pkg, root, depends });
    }
    for (const name of wanted) if (!selected.has(name)) this.extracted.set(name, undefined);
  }

  /** Whether the package was fetched already (or found not to exist); `get` of it makes no apt call. */
  has(name: string): boolean {
    return this.extracted.has(name);
  }

  /** The package extracted, or `undefined` when apt offers no version of it for this architecture. */
  get(name: string): ExtractedPackage | undefined {
    this.fetch([name]);
    return this.extracted.get(name);
  }

  /**
   * The file that the dynamic loader would open for `soname` if `pkg` were installed: looked up in
   * Debian's library folders, following symbolic links inside the package.
   */
  findLibrary(pkg: ExtractedPackage, soname: string): string | undefined {
    const triplet = DebianTriplets[this.arch];
    for (const dir of [`lib/${triplet}`, `usr/lib/${triplet}`, "lib", "usr/lib"]) {
      const file = resolveInside(pkg.root, join(pkg.root, dir, soname));
      if (file) return file;
    }
    return undefined;
  }
}

// Follows symlinks as if `root` were `/`; undefined when the chain ends nowhere or not at a file.
function resolveInside(root: string, path: string): string | undefined {
  let current = path;
  for (let hops = 0; hops < 16; hops++) {
    let stat: Stats;
    try {
      stat = lstatSync(current);
    } catch {
      return undefined;
    }
    if (!stat.isSymbolicLink()) return stat.isFile() ? current : undefined;
    const target = readlinkSync(current);
    current = target.startsWith("/") ? join(root, target) : join(dirname(current), target);
  }
  return undefined;
}
