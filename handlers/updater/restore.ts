/**
 * The previous database, restored from the definitions bucket into the work folder so freshclam
 * updates it incrementally (CDIFFs, If-Modified-Since) instead of downloading everything.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { type DefinitionsManifest, ManifestError, manifestKey } from "../../core/manifest";
import {
  type DefinitionsLocation,
  fetchDefinitions,
  listDefinitionKeys,
  readManifest,
  removeOtherDatabaseFiles,
} from "../shared/definitions";
import { errorAttributes, type Log } from "../shared/logger";
import { FRESHCLAM_STATE_FILE, freshclamStateKey, restoreFreshclamState } from "./state";

/** What the bucket holds before this run. */
export interface Published {
  /** The published manifest; absent before the first publication. */
  previous?: DefinitionsManifest;
  /** Every key under the prefix. */
  existing: ReadonlySet<string>;
}

/** Reads what is published. A manifest this updater cannot read is replaced by a complete new publication. */
export async function readPublished(s3: S3Client, at: DefinitionsLocation, log: Log): Promise<Published> {
  const existing = await listDefinitionKeys(s3, at);
  if (!existing.has(manifestKey(at.prefix))) return { existing };
  try {
    const read = await readManifest(s3, at);
    return { existing, previous: read === undefined || read === "not-modified" ? undefined : read.manifest };
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    log.error("the published manifest is unreadable; publishing from scratch", errorAttributes(error));
    return { existing };
  }
}

/**
 * Makes `dbDir` hold exactly the published database (files left by an earlier run in this execution
 * environment are checked by hash or removed) and freshclam's saved state.
 */
export async function restoreDatabase(
  s3: S3Client,
  at: DefinitionsLocation,
  published: Published,
  dbDir: string,
): Promise<{ downloaded: string[] }> {
  await mkdir(dbDir, { recursive: true });
  const files = published.previous?.files ?? [];
  const fetched = await fetchDefinitions(s3, at, files, dbDir, { verifyLocal: true });
  await removeOtherDatabaseFiles(
    dbDir,
    files.map((f) => f.name),
  );
  if (published.existing.has(freshclamStateKey(at.prefix)))
    await restoreFreshclamState(s3, at, join(dbDir, FRESHCLAM_STATE_FILE));
  return { downloaded: fetched.downloaded };
}
