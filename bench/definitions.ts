/**
 * Getting a benchmark database into a definitions bucket the way the updater does: files under
 * content-addressed keys, then the manifest (the updater's own `publishDatabase`). Generated
 * databases are kept between runs in the scratch folder, since the same spec always gives the same
 * bytes.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { DefinitionsFile, DefinitionsManifest } from "../core/manifest";
import { type DefinitionsLocation, sha256File } from "../handlers/shared/definitions";
import { ensureStampKey } from "../handlers/shared/stamp-key";
import { publishDatabase } from "../handlers/updater/publish";
import { type DatabaseSpec, databaseKey, type WrittenDatabase, writeDatabase } from "./database";

/** The database for `spec` under `scratchDir`, generated unless a complete copy is already there. */
export async function ensureDatabase(scratchDir: string, spec: DatabaseSpec): Promise<WrittenDatabase> {
  const dir = join(scratchDir, `db-${databaseKey(spec)}`);
  const done = join(dir, ".complete");
  if (!existsSync(done)) {
    await rm(dir, { recursive: true, force: true });
    const written = writeDatabase(dir, spec);
    writeFileSync(done, `${JSON.stringify(written.files)}\n`);
  }
  // The marker, written last, lists the files: a run cut short leaves no marker and is redone.
  return { spec, dir, files: JSON.parse(readFileSync(done, "utf8")) as string[] };
}

/** Publishes `db` to `at` as the updater would; returns the manifest and the database's size. */
export async function publishBenchDatabase(
  s3: S3Client,
  at: DefinitionsLocation,
  db: WrittenDatabase,
  engine: string,
): Promise<{ manifest: DefinitionsManifest; bytes: number }> {
  const files: DefinitionsFile[] = [];
  for (const name of db.files) {
    const path = join(db.dir, name);
    files.push({ name, sha256: await sha256File(path), size: (await stat(path)).size });
  }
  // The scanner reads the scan stamp key before any manifest, as the updater leaves it (run()).
  await ensureStampKey(s3, at);
  // Each run publishes into a bucket of its own store, so nothing is there yet.
  const { manifest } = await publishDatabase(s3, at, {
    dir: db.dir,
    files,
    existing: new Set(),
    now: new Date(),
    engine,
  });
  return { manifest, bytes: files.reduce((sum, f) => sum + f.size, 0) };
}
