/**
 * The updater: restore the published database, let freshclam update it, prove it loads, publish
 * what changed. `createUpdater` wires it to injected clients for Lambda, local mode and the tests.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { UpdaterConfig } from "../../core/handler-config";
import { type DefinitionsFile, type DefinitionsManifest, ManifestError } from "../../core/manifest";
import {
  type DefinitionsLocation,
  fetchDefinitions,
  readManifest,
  removeOtherDatabaseFiles,
} from "../shared/definitions";
import { UpdateError } from "../shared/errors";
import { errorAttributes, type Log, type MetricsSink, noMetrics, silentLog } from "../shared/logger";
import { layerTools, runTool, type ToolResolver } from "../shared/tools";
import { describeDatabase } from "./database-files";
import { freshclamArgs, isCoolDown, renderFreshclamConf } from "./freshclam-conf";
import { publishDatabase } from "./publish";
import { FRESHCLAM_STATE_FILE, restoreFreshclamState, saveFreshclamState } from "./state";
import { lastLines, verifyDatabase } from "./verify";

export interface UpdaterDeps {
  config: UpdaterConfig;
  /** Reads and writes the definitions bucket. */
  s3: S3Client;
  /** How to run freshclam and clamscan. @default the freshclam layer at `config.layerRoot` */
  tools?: ToolResolver;
  log?: Log;
  metrics?: MetricsSink;
  now?: () => Date;
  /** How long freshclam may run. @default 600000 */
  freshclamTimeoutMs?: number;
  /** How long loading the updated database may take. @default 300000 */
  verifyTimeoutMs?: number;
}

export const UpdateStatus = {
  /** A new database version is in the bucket. */
  Published: "published",
  /** freshclam found nothing new; the manifest's `checkedAt` moved on. */
  Unchanged: "unchanged",
  /** The last check is more recent than `minUpdateIntervalSeconds`: freshclam did not run. */
  TooSoon: "too-soon",
  /** The mirror told freshclam to back off; its saved state keeps the date. */
  CoolDown: "cool-down",
} as const;
export type UpdateStatus = (typeof UpdateStatus)[keyof typeof UpdateStatus];

export interface UpdateResult {
  status: UpdateStatus;
  /** The published definitions version (unchanged when nothing was published). */
  version?: string;
  /** Files uploaded by this run. */
  uploaded: string[];
  files: DefinitionsFile[];
  signatures?: number;
  durations: { restoreMs: number; freshclamMs: number; verifyMs: number; publishMs: number };
}

export interface Updater {
  /** One update. Throws {@link UpdateError} when freshclam fails or the database does not load. */
  run(): Promise<UpdateResult>;
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

export function createUpdater(deps: UpdaterDeps): Updater {
  const { config, s3 } = deps;
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const now = deps.now ?? (() => new Date());
  const tools = deps.tools ?? layerTools(config.layerRoot);
  const at: DefinitionsLocation = { bucket: config.definitionsBucket, prefix: config.definitionsPrefix };
  const baseDir = join(config.workDir, "updater");
  const dbDir = join(baseDir, "db");

  async function previousManifest(): Promise<DefinitionsManifest | undefined> {
    try {
      const read = await readManifest(s3, at);
      return read === undefined || read === "not-modified" ? undefined : read.manifest;
    } catch (error) {
      if (error instanceof ManifestError) {
        // A manifest this updater cannot read is replaced by a complete new publication.
        log.error("the published manifest is unreadable; publishing from scratch", errorAttributes(error));
        return undefined;
      }
      throw error;
    }
  }

  async function run(): Promise<UpdateResult> {
    const durations = { restoreMs: 0, freshclamMs: 0, verifyMs: 0, publishMs: 0 };
    const started = now();
    const previous = await previousManifest();
    if (previous) {
      const sinceMs = started.getTime() - Date.parse(previous.checkedAt);
      if (sinceMs < config.minUpdateIntervalSeconds * 1000) {
        log.info("checked recently; not running freshclam", {
          checkedAt: previous.checkedAt,
          minUpdateIntervalSeconds: config.minUpdateIntervalSeconds,
        });
        return {
          status: UpdateStatus.TooSoon,
          version: previous.version,
          uploaded: [],
          files: previous.files,
          durations,
        };
      }
    }

    let mark = performance.now();
    const lap = () => {
      const t = performance.now();
      const ms = Math.round(t - mark);
      mark = t;
      return ms;
    };
    await mkdir(dbDir, { recursive: true });
    const previousFiles = previous?.files ?? [];
    const restored = await fetchDefinitions(s3, at, previousFiles, dbDir, { verifyLocal: true });
    await removeOtherDatabaseFiles(
      dbDir,
      previousFiles.map((f) => f.name),
    );
    const statePath = join(dbDir, FRESHCLAM_STATE_FILE);
    await restoreFreshclamState(s3, at, statePath);
    durations.restoreMs = lap();
    log.info("previous database restored", { version: previous?.version, downloaded: restored.downloaded });

    const confPath = join(baseDir, "freshclam.conf");
    await writeFile(
      confPath,
      renderFreshclamConf({ ...config, databaseDir: dbDir, databaseOwner: currentUser() }),
    );
    const engine = (await runTool(tools("freshclam", ["--version"]), 30_000)).output.trim();
    const fresh = await runTool(
      tools("freshclam", freshclamArgs(confPath, config)),
      deps.freshclamTimeoutMs ?? 600_000,
    );
    durations.freshclamMs = lap();
    await saveFreshclamState(s3, at, statePath);
    if (isCoolDown(fresh.output)) {
      log.warn("the mirror asked freshclam to back off; not publishing", { output: lastLines(fresh.output) });
      metrics.count("UpdateCoolDown");
      return {
        status: UpdateStatus.CoolDown,
        version: previous?.version,
        uploaded: [],
        files: previousFiles,
        durations,
      };
    }
    if (fresh.exitCode !== 0) {
      metrics.count("UpdateFailures");
      throw new UpdateError(
        `freshclam failed (exit ${fresh.exitCode ?? fresh.signal}); nothing published: ${lastLines(fresh.output)}`,
      );
    }

    let check: Awaited<ReturnType<typeof verifyDatabase>>;
    try {
      check = await verifyDatabase(tools, dbDir, baseDir, deps.verifyTimeoutMs ?? 300_000);
    } catch (error) {
      metrics.count("UpdateFailures");
      throw error;
    }
    durations.verifyMs = lap();

    const files = await describeDatabase(dbDir);
    const { manifest, uploaded } = await publishDatabase(s3, at, {
      dir: dbDir,
      files,
      previous,
      now: now(),
      engine,
    });
    durations.publishMs = lap();
    const status = manifest.version === previous?.version ? UpdateStatus.Unchanged : UpdateStatus.Published;
    log.info(status === UpdateStatus.Published ? "definitions published" : "definitions unchanged", {
      version: manifest.version,
      previousVersion: previous?.version,
      uploaded,
      signatures: check.signatures,
      durations,
    });
    metrics.count(status === UpdateStatus.Published ? "DefinitionsPublished" : "DefinitionsUnchanged");
    metrics.milliseconds("DatabaseLoadDuration", check.loadMs);
    return { status, version: manifest.version, uploaded, files, signatures: check.signatures, durations };
  }

  return { run };
}
