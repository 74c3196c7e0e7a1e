/**
 * The scan stamp's key in the definitions bucket (core/stamp). The updater creates it once, with a
 * conditional create so that two updaters racing never replace a key stamps were made with; the
 * scanner reads it with the definitions. Both roles can read the definitions prefix and no one else
 * can, which is what makes the stamp unforgeable without new infrastructure (no KMS key, and local
 * mode and the tests run exactly this code).
 */
import { randomBytes } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { checkStampKey, STAMP_KEY_BYTES, stampKeyKey } from "../../core/stamp";
import type { DefinitionsLocation } from "./definitions";
import { DefinitionsError } from "./errors";
import { bodyBytes, classifyS3Error, S3Failure } from "./s3";

/** Reads the stamp key; a {@link DefinitionsError} when it is missing or malformed. */
export async function readStampKey(s3: S3Client, at: DefinitionsLocation): Promise<Buffer> {
  const key = stampKeyKey(at.prefix);
  let bytes: Buffer;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: key }));
    bytes = await bodyBytes(res.Body);
  } catch (error) {
    const missing = classifyS3Error(error) === S3Failure.NotFound;
    throw new DefinitionsError(
      missing
        ? `no scan stamp key in s3://${at.bucket}/${key} yet: the updater creates it on its next run`
        : `cannot read the scan stamp key s3://${at.bucket}/${key}`,
      { cause: error },
    );
  }
  try {
    return checkStampKey(bytes);
  } catch (error) {
    throw new DefinitionsError(`s3://${at.bucket}/${key} is not a scan stamp key`, { cause: error });
  }
}

/**
 * Creates the stamp key unless one exists. Returns `true` when this call created it. The create is
 * conditional (`If-None-Match: *`): an existing key is never overwritten, since every stamp made under
 * it would then read as forged.
 */
export async function ensureStampKey(s3: S3Client, at: DefinitionsLocation): Promise<boolean> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: at.bucket,
        Key: stampKeyKey(at.prefix),
        Body: randomBytes(STAMP_KEY_BYTES),
        IfNoneMatch: "*",
        ContentType: "application/octet-stream",
      }),
    );
    return true;
  } catch (error) {
    if (classifyS3Error(error) === S3Failure.PreconditionFailed) return false;
    throw new DefinitionsError("cannot create the scan stamp key", { cause: error });
  }
}
