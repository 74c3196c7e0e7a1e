/**
 * The seed's way, which is also what bucket-antivirus-function and cdk-serverless-clamscan do on
 * every cold invocation: download every definitions file from the bucket into a fresh folder,
 * download the object, run `clamscan` from the layer on it (loading the whole database), tag it.
 * Kept as plain as theirs: files fetched one after another, no cache, no resident engine.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { ENGINE_MAX_OBJECT_BYTES } from "../../core/handler-config";
import { definitionsFileKey } from "../../core/manifest";
import { DEFAULT_TAG_SCHEMA, type Tag } from "../../core/tags";
import { mergeVerdictTags, parseClamscanResult, type ScanOutcome, verdictSigner } from "../../core/verdict";
import { type DefinitionsLocation, readManifest } from "../../handlers/shared/definitions";
import { bodyChunks } from "../../handlers/shared/s3";
import type { ToolResolver } from "../../handlers/shared/tools";
import type { Sample } from "../types";

export interface SeedStyleDeps {
  /** Signed as the scanner. */
  s3: S3Client;
  definitions: DefinitionsLocation;
  tools: ToolResolver;
  /** Parent of each invocation's fresh `/tmp`. */
  scratchRoot: string;
  /** Told clamscan's pid as soon as it runs, to sample its memory. */
  onEngine?: (pid: number | undefined) => void;
}

export interface ObjectVersion {
  bucket: string;
  key: string;
  versionId?: string;
}

async function download(s3: S3Client, bucket: string, key: string, path: string, versionId?: string) {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  await pipeline(bodyChunks(res.Body), createWriteStream(path));
}

function clamscan(deps: SeedStyleDeps, dbDir: string, path: string): Promise<ScanOutcome> {
  // The scanner's limits, so both ways look at every byte of the 100 MB object (clamscan's default
  // MaxFileSize would skip it and call it clean).
  const limit = String(ENGINE_MAX_OBJECT_BYTES);
  const cmd = deps.tools("clamscan", [
    "--no-summary",
    "--stdout",
    `--database=${dbDir}`,
    `--max-filesize=${limit}`,
    `--max-scansize=${limit}`,
    "--alert-exceeds-max=yes",
    "--alert-encrypted=yes",
    path,
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, {
      env: { ...process.env, ...cmd.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    deps.onEngine?.(child.pid);
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      deps.onEngine?.(undefined);
      try {
        resolve(parseClamscanResult(code, out));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Scans one object the seed's way; the fresh folder is removed afterwards. */
export async function seedStyleScan(
  deps: SeedStyleDeps,
  object: ObjectVersion,
): Promise<Sample & { outcome: ScanOutcome }> {
  await mkdir(deps.scratchRoot, { recursive: true });
  const tmp = await mkdtemp(join(deps.scratchRoot, "invocation-"));
  try {
    const started = performance.now();
    const read = await readManifest(deps.s3, deps.definitions);
    if (read === undefined || read === "not-modified") throw new Error("no definitions published");
    const dbDir = join(tmp, "clamav");
    await mkdir(dbDir);
    for (const file of read.manifest.files) {
      await download(
        deps.s3,
        deps.definitions.bucket,
        definitionsFileKey(deps.definitions.prefix, file),
        join(dbDir, file.name),
      );
    }
    const definitionsMs = performance.now() - started;
    const path = join(tmp, "object");
    await download(deps.s3, object.bucket, object.key, path, object.versionId);
    const objectMs = performance.now() - started - definitionsMs;
    const outcome = await clamscan(deps, dbDir, path);
    const clamscanMs = performance.now() - started - definitionsMs - objectMs;
    const at = { Bucket: object.bucket, Key: object.key, VersionId: object.versionId };
    const existing = await deps.s3.send(new GetObjectTaggingCommand(at));
    const tags = mergeVerdictTags(
      (existing.TagSet ?? []) as Tag[],
      outcome,
      DEFAULT_TAG_SCHEMA,
      // The seed had no stamp key; a throwaway one keeps the tag set the same size as the scanner's.
      verdictSigner(
        randomBytes(32),
        { bucket: object.bucket, key: object.key, eTag: "" },
        read.manifest.version,
      ),
    ).tags;
    await deps.s3.send(new PutObjectTaggingCommand({ ...at, Tagging: { TagSet: tags } }));
    const ms = performance.now() - started;
    return {
      ms,
      outcome,
      phases: { definitionsMs, objectMs, clamscanMs, tagMs: ms - definitionsMs - objectMs - clamscanMs },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
