/**
 * The scan stamp: proof that the scanner itself wrote an object's verdict. Its value is
 * `<definitions version>/<MAC>`, the MAC an HMAC-SHA256, under a key only the scanner and the updater
 * can read, over everything the verdict is about: bucket, key, version id, ETag, definitions version,
 * and the verdict and result tag values. A writer without the key cannot compute it, so tags an
 * uploader sets (a forged `Infected=false` with a stamp copied from elsewhere, or computed from the
 * ETag) never pass as a scan. The readable version prefix lets a later rescan skip objects already
 * scanned with the current definitions with one tag read. Pure.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { BucketwardenError } from "./errors";

/** Length of the stamp key: 256 bits, HMAC-SHA256's block-size-safe choice. */
export const STAMP_KEY_BYTES = 32;

/** Name of the stamp key's object, beside the manifest under the definitions prefix. */
export function stampKeyKey(prefix: string): string {
  return `${prefix}scan-stamp.key`;
}

/** The stamp key read from the definitions bucket is not one the scanner can use. */
export class StampKeyError extends BucketwardenError {}

/** Checks a stamp key as read from storage; throws {@link StampKeyError} when it is not 32 bytes. */
export function checkStampKey(key: Uint8Array): Buffer {
  if (key.length !== STAMP_KEY_BYTES)
    throw new StampKeyError(`the scan stamp key has ${key.length} bytes; it must have ${STAMP_KEY_BYTES}`);
  return Buffer.from(key);
}

/** What a stamp vouches for. */
export interface StampSubject {
  bucket: string;
  key: string;
  /** The version scanned; `undefined` for an unversioned object (the ETag pins the content). */
  versionId?: string;
  /** The ETag of the content scanned, with or without quotes. */
  eTag: string;
  definitionsVersion: string;
  /** The verdict tag's value (`true`/`false` by default). */
  verdict: string;
  /** The result tag's value (status and signature). */
  result: string;
}

// Bumped if the MAC's input ever changes, so old stamps fail verification instead of colliding.
const STAMP_FORMAT = "bucketwarden-scan-stamp-v1";

function mac(secret: Buffer, s: StampSubject): string {
  // JSON of an array: an unambiguous encoding, whatever characters keys and values hold.
  const input = JSON.stringify([
    STAMP_FORMAT,
    s.bucket,
    s.key,
    s.versionId ?? "",
    s.eTag.replace(/"/g, ""),
    s.definitionsVersion,
    s.verdict,
    s.result,
  ]);
  // base64url: every character is allowed in an S3 tag value.
  return createHmac("sha256", secret).update(input, "utf8").digest("base64url");
}

/** The stamp tag's value for `subject` under `secret`. */
export function stampValue(secret: Buffer, subject: StampSubject): string {
  return `${subject.definitionsVersion}/${mac(secret, subject)}`;
}

/** The definitions version a stamp names, without checking it. `undefined` when it has no version part. */
export function stampedDefinitionsVersion(value: string): string | undefined {
  const slash = value.lastIndexOf("/");
  return slash > 0 ? value.slice(0, slash) : undefined;
}

/**
 * Checks a stamp tag's value against the object and its verdict tags. Returns the definitions version
 * it was made with when the scanner wrote it, `undefined` when it is anything else (forged, copied from
 * another object or version, made before the content or the verdict changed, or under another key).
 */
export function verifyStamp(
  secret: Buffer,
  value: string,
  subject: Omit<StampSubject, "definitionsVersion">,
): string | undefined {
  const definitionsVersion = stampedDefinitionsVersion(value);
  if (definitionsVersion === undefined) return undefined;
  const expected = Buffer.from(stampValue(secret, { ...subject, definitionsVersion }), "utf8");
  const actual = Buffer.from(value, "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual)
    ? definitionsVersion
    : undefined;
}
