/**
 * Keeping the definitions bucket from growing without bound. Each publication also leaves a copy of
 * its manifest under `history/`; once the history holds `keep` manifests, definition files that
 * neither the current manifest nor any of those lists are deleted, and so are older history copies.
 * A rollback is a copy of a history manifest over `manifest.json`: its files are still there.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type DefinitionsManifest, definitionsFileKey, parseManifest } from "../../core/manifest";
import type { DefinitionsLocation } from "../shared/definitions";
import { bodyBytes } from "../shared/s3";

/** Manifests kept for rollback (the current one among them) and whose files are kept. */
export const DEFAULT_KEEP_MANIFESTS = 3;
/**
 * An unlisted file younger than this is left alone: a concurrent updater may have uploaded it and
 * not yet published the manifest that lists it.
 */
export const DEFAULT_PRUNE_GRACE_MS = 6 * 60 * 60 * 1000;

/** Where a publication's manifest is kept: keys sort by publication time. */
export function historyKey(
  prefix: string,
  manifest: Pick<DefinitionsManifest, "updatedAt" | "version">,
): string {
  return `${prefix}history/${manifest.updatedAt}-${manifest.version}.json`;
}

/** Keeps a copy of a newly published manifest for rollback. */
export async function recordHistory(s3: S3Client, at: DefinitionsLocation, manifest: DefinitionsManifest) {
  await s3.send(
    new PutObjectCommand({
      Bucket: at.bucket,
      Key: historyKey(at.prefix, manifest),
      Body: `${JSON.stringify(manifest, null, 2)}\n`,
      ContentType: "application/json",
    }),
  );
}

interface Listed {
  key: string;
  lastModified: Date;
}

async function listUnder(s3: S3Client, bucket: string, prefix: string): Promise<Listed[]> {
  const listed: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? [])
      if (o.Key) listed.push({ key: o.Key, lastModified: o.LastModified ?? new Date(0) });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return listed;
}

export interface PruneOptions {
  /** The manifest just published or found current: its files are never deleted. */
  current: DefinitionsManifest;
  keep: number;
  graceMs: number;
  now: Date;
}

export interface PruneResult {
  /** Definition files deleted. */
  deletedFiles: string[];
  /** History manifests deleted. */
  deletedHistory: string[];
  /** Why no file was deleted, when none could be. */
  held?: string;
}

/** Deletes what no kept manifest lists (see the module's comment). */
export async function pruneDefinitions(
  s3: S3Client,
  at: DefinitionsLocation,
  o: PruneOptions,
): Promise<PruneResult> {
  const history = (await listUnder(s3, at.bucket, `${at.prefix}history/`)).sort((a, b) =>
    a.key.localeCompare(b.key),
  );
  const kept = history.slice(-o.keep);
  const result: PruneResult = { deletedFiles: [], deletedHistory: [] };
  // Until the history is full, older databases have no record here (published before history was
  // kept, or too few publications yet): keep every file.
  if (kept.length < o.keep) return { ...result, held: `history holds ${kept.length} of ${o.keep} manifests` };

  const listedKeys = new Set(o.current.files.map((f) => definitionsFileKey(at.prefix, f)));
  for (const h of kept) {
    const res = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: h.key }));
    // An unreadable history manifest throws: better no pruning than deleting what it lists.
    const manifest = parseManifest((await bodyBytes(res.Body)).toString("utf8"));
    for (const f of manifest.files) listedKeys.add(definitionsFileKey(at.prefix, f));
  }
  const cutoff = o.now.getTime() - o.graceMs;
  for (const file of await listUnder(s3, at.bucket, `${at.prefix}files/`)) {
    if (listedKeys.has(file.key) || file.lastModified.getTime() > cutoff) continue;
    await s3.send(new DeleteObjectCommand({ Bucket: at.bucket, Key: file.key }));
    result.deletedFiles.push(file.key);
  }
  for (const h of history.slice(0, -o.keep)) {
    await s3.send(new DeleteObjectCommand({ Bucket: at.bucket, Key: h.key }));
    result.deletedHistory.push(h.key);
  }
  return result;
}
