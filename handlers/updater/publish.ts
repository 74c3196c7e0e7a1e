/**
 * Publishing a verified database: the files the bucket does not hold yet go up first, under
 * content-addressed keys that never change under a reader; the manifest goes last, so a scanner sees
 * either the old database or the complete new one.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type SignatureChange, signatureChange } from "../../core/definitions-event";
import {
  type DefinitionsFile,
  type DefinitionsManifest,
  definitionsFileKey,
  definitionsVersion,
  manifestKey,
} from "../../core/manifest";
import type { DefinitionsLocation } from "../shared/definitions";

async function md5Base64(path: string): Promise<string> {
  const hash = createHash("md5");
  await pipeline(createReadStream(path), hash);
  return hash.digest("base64");
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
  /** Keys already in the bucket under the prefix. */
  existing: ReadonlySet<string>;
  now: Date;
  engine: string;
}

/**
 * Uploads what is missing, then the manifest. Returns the manifest, the names uploaded and what
 * changed against the previous manifest (undefined on the first publish or when nothing changed).
 */
export async function publishDatabase(
  s3: S3Client,
  at: DefinitionsLocation,
  input: PublishInput,
): Promise<{ manifest: DefinitionsManifest; uploaded: string[]; change?: SignatureChange }> {
  const { dir, files, previous, existing, now, engine } = input;
  const uploaded: string[] = [];
  for (const file of files) {
    // Content-addressed: a key that exists holds exactly this content.
    if (existing.has(definitionsFileKey(at.prefix, file))) continue;
    await uploadFile(s3, at, dir, file);
    uploaded.push(file.name);
  }
  const version = definitionsVersion(files);
  const change = signatureChange(previous, version, files);
  const manifest: DefinitionsManifest = {
    formatVersion: 1,
    version,
    updatedAt: previous && previous.version === version ? previous.updatedAt : now.toISOString(),
    checkedAt: now.toISOString(),
    engine,
    files,
    ...(change?.added && {
      addedSignatures: {
        previousVersion: change.previousVersion,
        signaturesAdded: change.signaturesAdded,
        databases: change.databases.filter((d) => d.added).map((d) => d.name),
      },
    }),
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
  return { manifest, uploaded, ...(change && { change }) };
}
