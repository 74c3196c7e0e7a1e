/**
 * freshclam's own state between runs. `freshclam.dat` records the CDN's cool-down (after a 429/403)
 * and freshclam's identity; Lambda's /tmp does not outlive the execution environment, so the updater
 * keeps it beside the database in the definitions bucket (outside the manifest: it is not part of
 * the database the scanners load).
 */
import { readFile, writeFile } from "node:fs/promises";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { DefinitionsLocation } from "../shared/definitions";
import { bodyBytes } from "../shared/s3";

/** freshclam's state file name inside the database folder. */
export const FRESHCLAM_STATE_FILE = "freshclam.dat";

/** Key of the saved state. */
export function freshclamStateKey(prefix: string): string {
  return `${prefix}state/${FRESHCLAM_STATE_FILE}`;
}

/** Writes the saved state to `path`. */
export async function restoreFreshclamState(s3: S3Client, at: DefinitionsLocation, path: string) {
  const res = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: freshclamStateKey(at.prefix) }));
  await writeFile(path, await bodyBytes(res.Body));
}

/** Saves the state file at `path`, if freshclam wrote one. */
export async function saveFreshclamState(s3: S3Client, at: DefinitionsLocation, path: string) {
  const body = await readFile(path).catch(() => undefined);
  if (!body) return false;
  await s3.send(
    new PutObjectCommand({
      Bucket: at.bucket,
      Key: freshclamStateKey(at.prefix),
      Body: body,
      ContentType: "application/octet-stream",
    }),
  );
  return true;
}
