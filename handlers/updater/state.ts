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

/** freshclam.dat begins with these bytes (ClamAV's `MIRRORS_DAT_MAGIC`). */
const STATE_MAGIC = Buffer.from("FreshClamData");
/**
 * Where `retry_after` sits after the magic: freshclam writes its `freshclam_dat_v1_t` as the C
 * struct it is: a `uint32_t` version, a 37-byte UUID, padding to 8, then a 64-bit `time_t` (the
 * same layout, little-endian, on x86_64 and arm64 Linux, the two Lambda architectures).
 */
const RETRY_AFTER_OFFSET = STATE_MAGIC.length + 48;

/**
 * The end of the cool-down a mirror imposed (HTTP 429 or 403), as freshclam recorded it in its state
 * file; undefined when none is recorded or the file is not one this layout describes. freshclam
 * does not always say in its output that a refusal started a cool-down (a refused CVD header reads
 * as "Malformed CVD header"), but it always records it here.
 */
export function coolDownUntil(state: Uint8Array): Date | undefined {
  const bytes = Buffer.from(state);
  if (bytes.length < RETRY_AFTER_OFFSET + 8) return undefined;
  if (!bytes.subarray(0, STATE_MAGIC.length).equals(STATE_MAGIC)) return undefined;
  if (bytes.readUInt32LE(STATE_MAGIC.length) !== 1) return undefined;
  const seconds = Number(bytes.readBigInt64LE(RETRY_AFTER_OFFSET));
  return seconds > 0 ? new Date(seconds * 1000) : undefined;
}
