/**
 * The definitions manifest: the small JSON object the updater publishes beside the database and
 * the scanner reads to know whether its loaded database is current.
 *
 * Files are stored content-addressed (`<prefix>files/<sha256>/<name>`), so a scanner reading an
 * older manifest while the updater publishes a newer one still finds exactly the files it lists.
 */
import { createHash } from "node:crypto";
import { BucketwardenError } from "./errors";

export interface DefinitionsFile {
  /** File name as freshclam writes it, e.g. `daily.cld` or `bucketwarden.ndb`. */
  name: string;
  sha256: string;
  size: number;
  /** Database version as `sigtool`/the CVD header says, when known. */
  version?: number;
  /**
   * Signatures it holds: the CVD/CLD header's count, or a plain-text detection database's lines
   * (core/definitions-event). Compared across manifests to tell whether an update added signatures.
   */
  signatures?: number;
}

export interface DefinitionsManifest {
  formatVersion: 1;
  /** Short digest of the file list: changes exactly when the database changes. */
  version: string;
  /** When this database was published. */
  updatedAt: string;
  /** When freshclam last ran, whether or not it found anything new. */
  checkedAt: string;
  /** `freshclam --version` of the updater that published it. */
  engine: string;
  files: DefinitionsFile[];
  /**
   * Set when this database added signatures to the one before it (core/definitions-event): what a
   * rescan is for. Absent on the first publish and when signatures were only dropped.
   */
  addedSignatures?: { previousVersion: string; signaturesAdded: number; databases: string[] };
}

/** The manifest's key. */
export function manifestKey(prefix: string): string {
  return `${prefix}manifest.json`;
}

/** A file's key: content-addressed, so it never changes under a reader. */
export function definitionsFileKey(prefix: string, file: Pick<DefinitionsFile, "name" | "sha256">): string {
  return `${prefix}files/${file.sha256}/${file.name}`;
}

/** The version of a file list: independent of order and of timestamps. */
export function definitionsVersion(files: readonly DefinitionsFile[]): string {
  const lines = [...files]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => `${f.name}:${f.sha256}`)
    .join("\n");
  return createHash("sha256").update(lines).digest("hex").slice(0, 16);
}

/** Files of `next` that `previous` does not already hold with the same content. */
export function changedFiles(
  previous: DefinitionsManifest | undefined,
  next: readonly DefinitionsFile[],
): DefinitionsFile[] {
  const had = new Set((previous?.files ?? []).map((f) => `${f.name}:${f.sha256}`));
  return next.filter((f) => !had.has(`${f.name}:${f.sha256}`));
}

/** The manifest is not one this version understands. */
export class ManifestError extends BucketwardenError {}

/** Parses and checks a manifest read from the bucket. */
export function parseManifest(json: string): DefinitionsManifest {
  let m: unknown;
  try {
    m = JSON.parse(json);
  } catch (cause) {
    throw new ManifestError("definitions manifest is not JSON", { cause });
  }
  const o = m as Partial<DefinitionsManifest>;
  if (o?.formatVersion !== 1)
    throw new ManifestError(`unsupported manifest format ${String(o?.formatVersion)}`);
  if (!Array.isArray(o.files) || o.files.length === 0) throw new ManifestError("manifest lists no files");
  for (const f of o.files) {
    if (typeof f?.name !== "string" || !/^[\w.-]+$/.test(f.name))
      throw new ManifestError("manifest has a bad file name");
    if (typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256))
      throw new ManifestError(`manifest has a bad hash for ${f.name}`);
  }
  if (o.version !== definitionsVersion(o.files))
    throw new ManifestError("manifest version does not match its files");
  return o as DefinitionsManifest;
}
