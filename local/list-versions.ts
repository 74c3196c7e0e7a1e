/**
 * Listing every object version of a bucket, as the runner's reconcile pass and the batch runner both
 * need it: delete markers left out, the store's "null" version id of unversioned objects dropped.
 */
import { ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";

/** One listed object version. */
export interface ListedVersion {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  size?: number;
  /** LastModified, in milliseconds since the epoch (0 when the store gives none). */
  modified: number;
}

/** Every object version of `bucket` (the lister must be allowed to list them all: the owner). */
export async function listObjectVersions(lister: S3Client, bucket: string): Promise<ListedVersion[]> {
  const out: ListedVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await lister.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const v of page.Versions ?? []) {
      if (!v.Key) continue;
      out.push({
        bucket,
        key: v.Key,
        // The store lists unversioned objects under the version id "null".
        ...(v.VersionId && v.VersionId !== "null" ? { versionId: v.VersionId } : {}),
        ...(v.ETag ? { eTag: v.ETag.replace(/"/g, "") } : {}),
        ...(v.Size !== undefined ? { size: v.Size } : {}),
        modified: v.LastModified?.getTime() ?? 0,
      });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  return out;
}
