/**
 * The definitions bucket seen from the handlers: reading the manifest, and fetching the files it
 * lists into a local folder with their hashes checked. The scanner loads from what this fetches;
 * the updater restores the previous database with it.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, link, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import {
  type DefinitionsFile,
  type DefinitionsManifest,
  definitionsFileKey,
  manifestKey,
  parseManifest,
} from "../../core/manifest";
import { DefinitionsError, DefinitionsIntegrityError } from "./errors";
import { bareETag, bodyBytes, bodyChunks, classifyS3Error, S3Failure } from "./s3";

/** Where the definitions live. */
export interface DefinitionsLocation {
  bucket: string;
  prefix: string;
}

/** A manifest as read, with the ETag to ask "changed since?" next time. */
export interface ManifestRead {
  manifest: DefinitionsManifest;
  eTag: string;
}

/**
 * Reads the manifest. Returns `"not-modified"` when `ifNoneMatch` is still its ETag, and `undefined`
 * when nothing was ever published.
 */
export async function readManifest(
  s3: S3Client,
  at: DefinitionsLocation,
  ifNoneMatch?: string,
): Promise<ManifestRead | "not-modified" | undefined> {
  try {
    const res = await s3.send(
      new GetObjectCommand({
        Bucket: at.bucket,
        Key: manifestKey(at.prefix),
        ...(ifNoneMatch ? { IfNoneMatch: `"${ifNoneMatch}"` } : {}),
      }),
    );
    const text = (await bodyBytes(res.Body)).toString("utf8");
    return { manifest: parseManifest(text), eTag: bareETag(res.ETag) ?? "" };
  } catch (error) {
    const kind = classifyS3Error(error);
    if (kind === S3Failure.NotModified) return "not-modified";
    if (kind === S3Failure.NotFound) return undefined;
    throw error;
  }
}

/**
 * Every key under the definitions prefix. Listing, unlike a GET or HEAD of a missing key, needs only
 * `s3:ListBucket` limited to the prefix: without an unconditioned `s3:ListBucket`, AWS answers a
 * missing key with 403, which must not be read as "absent" (nor as "present").
 */
export async function listDefinitionKeys(s3: S3Client, at: DefinitionsLocation): Promise<Set<string>> {
  const keys = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: at.bucket, Prefix: at.prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.add(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Database file names ClamAV loads (libclamav's list). Everything else in a database folder
 * (freshclam.dat, temporary folders, partial downloads) is not part of the database.
 */
const DATABASE_EXTENSIONS = new Set(
  (
    "cvd cld cud db hdb hdu hsb hsu mdb mdu msb msu ndb ndu ldb ldu sdb zmd rmd pdb gdb wdb " +
    "cbc ftm cfg cdb cat crb idb ioc yar yara pwdb ign ign2 imp fp sfp"
  ).split(" "),
);

/** True when ClamAV would load `name` as part of a database. */
export function isDatabaseFile(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot > 0 && !name.startsWith(".") && DATABASE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** The sha256 of a local file, in hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Downloads one file to `target`, checking its hash before it takes the final name. */
async function download(
  s3: S3Client,
  at: DefinitionsLocation,
  file: DefinitionsFile,
  target: string,
): Promise<void> {
  const partial = `${target}.partial`;
  const res = await s3.send(
    new GetObjectCommand({ Bucket: at.bucket, Key: definitionsFileKey(at.prefix, file) }),
  );
  const hash = createHash("sha256");
  const out = createWriteStream(partial);
  await pipeline(
    bodyChunks(res.Body),
    async function* (source: AsyncIterable<Uint8Array>) {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
    },
    out,
  );
  const actual = hash.digest("hex");
  if (actual !== file.sha256) {
    await rm(partial, { force: true });
    throw new DefinitionsIntegrityError(file.name, file.sha256, actual);
  }
  await rename(partial, target);
}

/** What {@link fetchDefinitions} did. */
export interface FetchResult {
  downloaded: string[];
  reused: string[];
}

/**
 * Makes `dir` hold every file of `files` with the listed content. A file is taken, in order of
 * preference, from `dir` itself when `trusted` vouches for it, from `reuse` (folders whose files
 * are known to match `trusted`), or downloaded and hash-checked.
 */
export async function fetchDefinitions(
  s3: S3Client,
  at: DefinitionsLocation,
  files: readonly DefinitionsFile[],
  dir: string,
  options: { reuseDir?: string; reuseFiles?: readonly DefinitionsFile[]; verifyLocal?: boolean } = {},
): Promise<FetchResult> {
  await mkdir(dir, { recursive: true });
  const result: FetchResult = { downloaded: [], reused: [] };
  const reusable = new Set((options.reuseFiles ?? []).map((f) => `${f.name}:${f.sha256}`));
  for (const file of files) {
    const target = join(dir, file.name);
    if (options.verifyLocal && (await exists(target)) && (await sha256File(target)) === file.sha256) {
      result.reused.push(file.name);
      continue;
    }
    await rm(target, { force: true });
    const from = options.reuseDir ? join(options.reuseDir, file.name) : undefined;
    if (from && reusable.has(`${file.name}:${file.sha256}`) && (await exists(from))) {
      await link(from, target).catch(() => copyFile(from, target));
      result.reused.push(file.name);
      continue;
    }
    try {
      await download(s3, at, file, target);
    } catch (error) {
      if (error instanceof DefinitionsError) throw error;
      throw new DefinitionsError(`cannot fetch definitions file ${file.name}`, { cause: error });
    }
    result.downloaded.push(file.name);
  }
  return result;
}

/** Removes the database files in `dir` that are not in `keep`, so the folder is exactly the database. */
export async function removeOtherDatabaseFiles(dir: string, keep: readonly string[]): Promise<string[]> {
  const names = new Set(keep);
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if ((isDatabaseFile(name) || name.endsWith(".partial")) && !names.has(name)) {
      await rm(join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}
