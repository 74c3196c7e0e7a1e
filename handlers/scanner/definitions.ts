/**
 * The scanner's copy of the definitions: one folder per version under the work folder, fetched only
 * when the manifest changed and checked at most every `definitionsCheckIntervalMs`. Unchanged files
 * are hard-linked from the previous version, so an update downloads only what changed.
 */
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { DefinitionsManifest } from "../../core/manifest";
import { UNSCANNABLE_DATABASE_FILE, unscannableDatabase } from "../../core/unscannable";
import {
  type DefinitionsLocation,
  fetchDefinitions,
  readManifest,
  removeOtherDatabaseFiles,
} from "../shared/definitions";
import { DefinitionsError } from "../shared/errors";
import { errorAttributes, type Log } from "../shared/logger";
import { readStampKey } from "../shared/stamp-key";
import { CANARY_FILE, canaryDatabase } from "./canary";

/** A definitions version ready on local disk. */
export interface LocalDefinitions {
  version: string;
  dir: string;
  manifest: DefinitionsManifest;
}

export interface DefinitionsCacheOptions {
  s3: S3Client;
  at: DefinitionsLocation;
  /** Parent of the per-version folders. */
  rootDir: string;
  intervalMs: number;
  now: () => number;
  log: Log;
}

export class DefinitionsCache {
  private current?: LocalDefinitions & { eTag: string };
  private checkedAt = Number.NEGATIVE_INFINITY;
  private secret?: Buffer;

  constructor(private readonly o: DefinitionsCacheOptions) {}

  /**
   * The scan stamp key (core/stamp), read with the first definitions and kept: it never changes.
   * Until it is read, {@link latest} fails, so no verdict is ever written without a stamp key.
   */
  get stampKey(): Buffer {
    if (!this.secret) throw new DefinitionsError("the scan stamp key is not loaded yet");
    return this.secret;
  }

  /**
   * The newest published definitions on local disk, and whether they changed since the last call.
   * When the bucket cannot be read, the definitions already loaded stay in use (with a warning);
   * with none loaded yet, that is a {@link DefinitionsError}. `fresh` asks the bucket even within the
   * check interval: a rescan must not run on definitions older than the ones that started it.
   */
  async latest(options: { fresh?: boolean } = {}): Promise<{ defs: LocalDefinitions; changed: boolean }> {
    const { s3, at, log } = this.o;
    this.secret ??= await readStampKey(s3, at);
    const now = this.o.now();
    const current = this.current;
    if (current && !options.fresh && now - this.checkedAt < this.o.intervalMs)
      return { defs: current, changed: false };
    let read: Awaited<ReturnType<typeof readManifest>>;
    try {
      read = await readManifest(s3, at, current?.eTag);
    } catch (error) {
      if (!current) throw new DefinitionsError("cannot read the definitions manifest", { cause: error });
      log.warn("cannot check for new definitions; keeping the loaded ones", {
        definitionsVersion: current.version,
        ...errorAttributes(error),
      });
      this.checkedAt = now;
      return { defs: current, changed: false };
    }
    this.checkedAt = now;
    if (read === "not-modified" && current) return { defs: current, changed: false };
    if (read === undefined || read === "not-modified") {
      if (current) {
        log.warn("the definitions manifest is gone; keeping the loaded definitions", {
          definitionsVersion: current.version,
        });
        return { defs: current, changed: false };
      }
      throw new DefinitionsError(`no definitions published in s3://${at.bucket}/${at.prefix} yet`);
    }
    if (current && read.manifest.version === current.version) {
      current.eTag = read.eTag;
      return { defs: current, changed: false };
    }
    const version = read.manifest.version;
    const dir = join(this.o.rootDir, version);
    const started = performance.now();
    const fetched = await fetchDefinitions(s3, at, read.manifest.files, dir, {
      reuseDir: current?.dir,
      reuseFiles: current?.manifest.files,
      verifyLocal: true,
    });
    const own = [CANARY_FILE, UNSCANNABLE_DATABASE_FILE];
    await removeOtherDatabaseFiles(dir, [...read.manifest.files.map((f) => f.name), ...own]);
    await writeFile(join(dir, CANARY_FILE), canaryDatabase(version));
    // Shipped with the scanner, not published: what the engine cannot look inside is never clean.
    await writeFile(join(dir, UNSCANNABLE_DATABASE_FILE), unscannableDatabase());
    log.info("definitions fetched", {
      definitionsVersion: version,
      previousVersion: current?.version,
      downloaded: fetched.downloaded,
      reused: fetched.reused.length,
      fetchMs: Math.round(performance.now() - started),
    });
    this.current = { version, dir, manifest: read.manifest, eTag: read.eTag };
    return { defs: this.current, changed: true };
  }

  /** Deletes the folders of every version but `keep`, once the engine no longer reads them. */
  async retireAllBut(keep: string): Promise<void> {
    const entries = await readdir(this.o.rootDir).catch(() => [] as string[]);
    for (const name of entries) {
      if (name !== keep) await rm(join(this.o.rootDir, name), { recursive: true, force: true });
    }
  }
}
