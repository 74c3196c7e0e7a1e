/**
 * Publishing a verified database: the files the bucket does not hold yet go up first, under
 * content-addressed keys that never change under a reader; the manifest goes last, so a scanner sees
 * either the old database or the complete new one.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  type DefinitionsFile,
  type DefinitionsManifest,
  definitionsFileKey,
  definitionsVersion,
  manifestKey,
} from "../../core/manifest";
import type { DefinitionsLocation } from "../shared/definitions";
import { classifyS3Error, S3Failure } from "../shared/s3";

async function md5Base64(path: string): Promise<string> {
  const hash = createHash("md5");
  await pipeline(createReadStream(path), hash);
  return hash.digest("base64");
}

async function present(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (classifyS3Error(error) === S3Failure.NotFound) return false;
    throw error;
  }
}

/** Uploads one database file; S3 checks the body against its MD5. */
async function uploadFile(s3: S3Client, at: DefinitionsLocation, dir: string, file: DefinitionsFile) {
  const path = join(dir, file.name);
  await s3.send(
    new PutObjectCommand({
      Bucket: at.bucket,
      Key: definitionsFileKey(at.prefix, file),
      Body: createReadStream(path),
      ContentLength: file.size,
      ContentMD5: await md5Base64(path),
      ContentType: "application/octet-stream",
    }),
  );
}

export interface PublishInput {
  dir: string;
  files: DefinitionsFile[];
  previous?: DefinitionsManifest;
  now: Date;
  engine: string;
}

/** Uploads what is missing, then the manifest. Returns the manifest and the names uploaded. */
export async function publishDatabase(
  s3: S3Client,
  at: DefinitionsLocation,
  input: PublishInput,
): Promise<{ manifest: DefinitionsManifest; uploaded: string[] }> {
  const { dir, files, previous, now, engine } = input;
  const had = new Set((previous?.files ?? []).map((f) => `${f.name}:${f.sha256}`));
  const uploaded: string[] = [];
  for (const file of files) {
    // Files of the previous manifest are normally there; check, in case someone removed them.
    const known = had.has(`${file.name}:${file.sha256}`);
    if (known && (await present(s3, at.bucket, definitionsFileKey(at.prefix, file)))) continue;
    await uploadFile(s3, at, dir, file);
    uploaded.push(file.name);
  }
  const version = definitionsVersion(files);
  const manifest: DefinitionsManifest = {
    formatVersion: 1,
    version,
    updatedAt: previous && previous.version === version ? previous.updatedAt : now.toISOString(),
    checkedAt: now.toISOString(),
    engine,
    files,
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: at.bucket,
      Key: manifestKey(at.prefix),
      Body: `${JSON.stringify(manifest, null, 2)}\n`,
      ContentType: "application/json",
      CacheControl: "no-cache",
    }),
  );
  return { manifest, uploaded };
}
