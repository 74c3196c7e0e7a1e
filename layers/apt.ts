/**
 * Debian packages through apt's own tools: versions from `apt-cache policy`, files from
 * `apt-get download` (checked against the archive's signed indexes), contents from `dpkg-deb`.
 * Downloaded packages are cached, so a warm build fetches nothing.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { CommandError, PackageUnavailableError } from "./errors";
import { type Runner, run } from "./exec";

/** One version of one binary package. */
export interface DebPackage {
  name: string;
  /** Debian architecture of the package: `amd64`, `arm64`, or `all`. */
  arch: string;
  version: string;
}

/** What `apt-cache policy` says of one package. */
export interface PolicyEntry {
  candidate?: string;
  /** Versions apt can download (from an archive, not only from the local dpkg status), newest first. */
  downloadable: string[];
}

/** Parses `apt-cache policy` output for one or more packages, keyed by package name (arch dropped). */
export function parsePolicy(text: string): Map<string, PolicyEntry> {
  const entries = new Map<string, PolicyEntry>();
  let current: PolicyEntry | undefined;
  let version: string | undefined;
  for (const line of text.split("\n")) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = { downloadable: [] };
      version = undefined;
      entries.set(header[1].replace(/:[a-z0-9]+$/, ""), current);
      continue;
    }
    if (!current) continue;
    const candidate = /^ {2}Candidate: (\S+)$/.exec(line);
    if (candidate && candidate[1] !== "(none)") current.candidate = candidate[1];
    const versionLine = /^ (?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line);
    if (versionLine) version = versionLine[1];
    const source = /^ {8}-?\d+ (\S+)/.exec(line);
    if (
      source &&
      version &&
      source[1] !== "/var/lib/dpkg/status" &&
      !current.downloadable.includes(version)
    ) {
      current.downloadable.push(version);
    }
  }
  return entries;
}

/** The first alternative of each relation in a `Depends` field, without versions or arch qualifiers. */
export function parseDepends(field: string): string[] {
  return field
    .split(",")
    .map(
      (relation) =>
        relation
          .split("|")[0]
          .trim()
          .split(/[\s(:[]/)[0],
    )
    .filter((name) => name.length > 0);
}

/** The fields of a Debian control file (`Depends`, `Version`...), continuation lines joined. */
export function parseControl(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split("\n")) {
    const field = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (field) {
      last = field[1];
      fields.set(last, field[2].trim());
    } else if (last && /^\s/.test(line)) {
      fields.set(last, `${fields.get(last)} ${line.trim()}`.trim());
    }
  }
  return fields;
}

/** The file name `apt-get download` gives a package (an epoch's colon is written `%3a`). */
export function debFileName(pkg: DebPackage): string {
  return `${pkg.name}_${pkg.version.replace(":", "%3a")}_${pkg.arch}.deb`;
}

export type Log = (line: string) => void;

/** apt with a download cache (`<cacheDir>/debs`); `apt-get update` runs at most once, and only when a lookup or download needs it. */
export class Apt {
  private listsRefreshed = false;
  private readonly debDir: string;
  // Debian's container images turn apt's binary cache off, so every apt command would parse all the
  // package lists again (seconds each); a cache of our own makes a lookup take milliseconds.
  private readonly cacheOptions: string[];

  constructor(
    cacheDir: string,
    private readonly log: Log,
    private readonly exec: Runner = run,
  ) {
    this.debDir = join(cacheDir, "debs");
    mkdirSync(join(cacheDir, "apt"), { recursive: true });
    this.cacheOptions = ["pkgcache", "srcpkgcache"].flatMap((name) => [
      "-o",
      `Dir::Cache::${name}=${join(cacheDir, "apt", `${name}.bin`)}`,
    ]);
  }

  /** Adds `debArch` to dpkg's architectures unless it is the native one or already there. */
  ensureArchitecture(debArch: string): void {
    if (this.exec("dpkg", ["--print-architecture"]).trim() === debArch) return;
    const foreign = this.exec("dpkg", ["--print-foreign-architectures"]).split(/\s+/);
    if (foreign.includes(debArch)) return;
    this.log(`dpkg --add-architecture ${debArch}`);
    this.exec("dpkg", ["--add-architecture", debArch]);
    this.refreshLists();
  }

  /**
   * What apt offers of each package for `debArch`, or else as an architecture-independent package.
   * Packages apt does not offer (virtual ones, or all of them before `apt-get update`) are absent.
   */
  policy(names: readonly string[], debArch: string): Map<string, PolicyEntry & { arch: string }> {
    const found = new Map<string, PolicyEntry & { arch: string }>();
    for (const arch of [debArch, "all"]) {
      const missing = names.filter((name) => !found.has(name));
      if (missing.length === 0) break;
      const text = this.exec("apt-cache", [
        ...this.cacheOptions,
        "policy",
        ...missing.map((name) => `${name}:${arch}`),
      ]);
      for (const [name, entry] of parsePolicy(text)) {
        if (entry.candidate && missing.includes(name)) found.set(name, { ...entry, arch });
      }
    }
    return found;
  }

  /**
   * The `.deb` files of `pkgs`, from the cache or else fetched together with `apt-get download`
   * (which checks them against the archive's signed indexes). apt also answers for an
   * architecture-independent package asked for under the native architecture, so the returned
   * packages carry the architecture of the file apt wrote.
   */
  download(pkgs: readonly DebPackage[]): Array<{ pkg: DebPackage; deb: string }> {
    const cached = (pkg: DebPackage) =>
      [pkg.arch, "all"]
        .map((arch) => ({ pkg: { ...pkg, arch }, deb: join(this.debDir, debFileName({ ...pkg, arch })) }))
        .find(({ deb }) => existsSync(deb));
    const wanted = pkgs.filter((pkg) => !cached(pkg)).map((p) => `${p.name}:${p.arch}=${p.version}`);
    if (wanted.length > 0) {
      mkdirSync(this.debDir, { recursive: true });
      this.log(`apt-get download ${wanted.join(" ")}`);
      const download = () =>
        this.exec("apt-get", [...this.cacheOptions, "download", "-q", ...wanted], { cwd: this.debDir });
      try {
        download();
      } catch (error) {
        // Stale lists name files the archive has dropped; fresh lists either fix it or say why.
        if (!(error instanceof CommandError) || !this.refreshLists()) throw error;
        download();
      }
    }
    return pkgs.map((pkg) => {
      const found = cached(pkg);
      if (!found) throw new PackageUnavailableError(pkg.name, `${pkg.arch} ${pkg.version}`);
      return found;
    });
  }

  /**
   * `dpkg-deb -R` of a cached package into `into`, once: the package's files as if `into` were `/`,
   * and its control files in `into/DEBIAN`. Returns `into`.
   */
  extract(deb: string, into: string): string {
    if (existsSync(into)) return into;
    const partial = `${into}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(dirname(partial), { recursive: true });
    this.exec("dpkg-deb", ["-R", deb, partial]);
    renameSync(partial, into);
    return into;
  }

  /** Runs `apt-get update`, at most once per build; returns whether it did. */
  refreshLists(): boolean {
    if (this.listsRefreshed) return false;
    this.listsRefreshed = true;
    this.log("apt-get update (package lists missing or stale)");
    try {
      this.exec("apt-get", [...this.cacheOptions, "update", "-q"]);
    } catch (error) {
      // One unreachable source (a vendor repository) fails the whole command although Debian's lists
      // were refreshed; the lookup that follows says whether what the build needs is there.
      this.log(`apt-get update reported a failure, going on: ${(error as Error).message}`);
    }
    return true;
  }
}
