/**
 * The runner's safety net: list the upload bucket and find the versions that carry no verdict. It
 * covers what notifications cannot: objects uploaded while the runner was down, and pushes the
 * store gave up on.
 */
import { GetObjectTaggingCommand, type S3Client, type Tag } from "@aws-sdk/client-s3";
import type { TagSchema } from "../core/tags";
import { listObjectVersions } from "./list-versions";
import { objectIdentity, type QueuedObject } from "./queue";

export interface ReconcileDeps {
  /** Lists the bucket (the bucket owner's client: the store lets the owner list every version). */
  lister: S3Client;
  /** Reads tags (the scanner's client: objects belong to their uploaders, whose tags only it may read). */
  tagReader: S3Client;
  bucket: string;
  tags: TagSchema;
  /** Versions already seen with a verdict; a verdict never goes away, so they are not read again. */
  settled: Set<string>;
}

/** The object versions of the bucket that have no verdict tag yet, oldest first. */
export async function unscannedObjects(deps: ReconcileDeps): Promise<QueuedObject[]> {
  const { lister, tagReader, bucket, tags, settled } = deps;
  const candidates: Array<QueuedObject & { modified: number }> = [];
  for (const v of await listObjectVersions(lister, bucket)) {
    const object: QueuedObject = { bucket, key: v.key, versionId: v.versionId, eTag: v.eTag, size: v.size };
    if (!settled.has(objectIdentity(object))) candidates.push({ ...object, modified: v.modified });
  }

  const unscanned: typeof candidates = [];
  await forEachLimit(candidates, 8, async (c) => {
    let TagSet: Tag[];
    try {
      ({ TagSet = [] } = await tagReader.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: c.key, VersionId: c.versionId }),
      ));
    } catch (e) {
      // Deleted since it was listed: nothing to scan.
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return;
      throw e;
    }
    const verdict = TagSet.find((t) => t.Key === tags.key)?.Value;
    if (verdict === tags.cleanValue || verdict === tags.infectedValue) settled.add(objectIdentity(c));
    else unscanned.push(c);
  });
  return unscanned.sort((a, b) => a.modified - b.modified).map(({ modified: _, ...o }) => o);
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
