/**
 * The updater: restore the published database, let freshclam update it, prove it loads, publish
 * what changed. `createUpdater` wires it to injected clients for Lambda, local mode and the tests.
 */
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { definitionsUpdatedEvent, type SignatureChange } from "../../core/definitions-event";
import type { UpdaterConfig } from "../../core/handler-config";
import type { DefinitionsFile, DefinitionsManifest } from "../../core/manifest";
import { UpdaterMetrics } from "../../core/metrics";
import { stampKeyKey } from "../../core/stamp";
import type { DefinitionsLocation } from "../shared/definitions";
import { EventPublishError } from "../shared/errors";
import { type EventSink, noEvents } from "../shared/events";
import { errorAttributes, type Log, type MetricsSink, noMetrics, silentLog } from "../shared/logger";
import { ensureStampKey } from "../shared/stamp-key";
import { stopwatch } from "../shared/stopwatch";
import { layerTools, type ToolResolver } from "../shared/tools";
import { freshclamTimeoutMs, type ToolCaps, verifyTimeoutMs } from "./budget";
import { describeDatabase } from "./database-files";
import { runFreshclam } from "./freshclam";
import { DEFAULT_KEEP_MANIFESTS, DEFAULT_PRUNE_GRACE_MS, pruneDefinitions, recordHistory } from "./prune";
import { publishDatabase } from "./publish";
import { readPublished, restoreDatabase } from "./restore";
import { FRESHCLAM_STATE_FILE, saveFreshclamState } from "./state";
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
  /** How long freshclam may run at most; less when the invocation has less time left. @default 600000 */
  freshclamTimeoutMs?: number;
  /** How long loading the updated database may take at most; likewise. @default 300000 */
  verifyTimeoutMs?: number;
  /** Manifests kept for rollback, with their files (the current one counts). @default 3 */
  keepManifests?: number;
  /** Unlisted definition files younger than this are not deleted yet. @default 6 hours */
  pruneGraceMs?: number;
  /**
   * Where `Definitions Updated` goes when a publish adds signatures (core/definitions-event). A failed
   * publish is logged and counted (`DefinitionsEventsLost`), never fails the update. @default nowhere
   */
  events?: EventSink;
}

/** What `run` knows of its invocation. */
export interface RunContext {
  /** Lambda's `context.getRemainingTimeInMillis`: tool timeouts are derived from it. */
  getRemainingTimeInMillis?: () => number;
}

export const UpdateStatus = {
  /** A new database version is in the bucket. */
  Published: "published",
  /** freshclam found nothing new; the manifest's `checkedAt` moved on. */
  Unchanged: "unchanged",
  /** The last check is more recent than `minUpdateIntervalSeconds`: freshclam did not run. */
  TooSoon: "too-soon",
  /** The mirror told freshclam to back off; its saved state keeps the date. The published database stays. */
  CoolDown: "cool-down",
  /**
   * The mirror refused (or a cool-down holds) and nothing was ever published: scanners have no
   * definitions, so every upload stays unreadable. Counted as `DefinitionsMissing` for the alarm; the
   * invocation itself succeeds, so a first deploy does not fail on a third party.
   */
  NoDefinitions: "no-definitions",
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
  /**
   * What this publish changed against the previous manifest, per database; `added` says whether it
   * brought new signatures, i.e. whether objects scanned before should be rescanned. Absent when
   * nothing was published or nothing was published before.
   */
  signatureChange?: SignatureChange;
  /** When the mirror's cool-down ends, if one holds. */
  coolDownUntil?: string;
  durations: { restoreMs: number; freshclamMs: number; verifyMs: number; publishMs: number };
}

export interface Updater {
  /**
   * One update. Throws {@link UpdateError} when freshclam fails (other than by a mirror's refusal) or
   * the database does not load.
   */
  run(invocation?: RunContext): Promise<UpdateResult>;
}

export function createUpdater(deps: UpdaterDeps): Updater {
  const { config, s3 } = deps;
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const now = deps.now ?? (() => new Date());
  const tools = deps.tools ?? layerTools(config.layerRoot);
  const at: DefinitionsLocation = { bucket: config.definitionsBucket, prefix: config.definitionsPrefix };
  const dirs = { base: join(config.workDir, "updater"), db: join(config.workDir, "updater", "db") };

  const caps: ToolCaps = {
    freshclamMs: deps.freshclamTimeoutMs ?? 600_000,
    verifyMs: deps.verifyTimeoutMs ?? 300_000,
  };

  /** How old the database the scanners read is: since its content last changed, whatever checks found nothing new. */
  function reportAge(manifest: DefinitionsManifest): void {
    const ageSeconds = Math.max(0, Math.round((now().getTime() - Date.parse(manifest.updatedAt)) / 1000));
    metrics.count(UpdaterMetrics.definitionsAgeSeconds, ageSeconds);
  }

  async function run(invocation: RunContext = {}): Promise<UpdateResult> {
    const remainingMs = () => invocation.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
    const durations = { restoreMs: 0, freshclamMs: 0, verifyMs: 0, publishMs: 0 };
    const published = await readPublished(s3, at, log);
    const { previous } = published;
    // The scanner's stamp key comes first, before any manifest the scanner could act on; created
    // once, never replaced (handlers/shared/stamp-key).
    if (!published.existing.has(stampKeyKey(at.prefix)) && (await ensureStampKey(s3, at)))
      log.info("scan stamp key created", { key: stampKeyKey(at.prefix) });
    const unchanged = (status: UpdateStatus): UpdateResult => ({
      status,
      version: previous?.version,
      uploaded: [],
      files: previous?.files ?? [],
      durations,
    });
    if (
      previous &&
      now().getTime() - Date.parse(previous.checkedAt) < config.minUpdateIntervalSeconds * 1000
    ) {
      log.info("checked recently; not running freshclam", {
        checkedAt: previous.checkedAt,
        minUpdateIntervalSeconds: config.minUpdateIntervalSeconds,
      });
      metrics.count(UpdaterMetrics.definitionsMissing, 0);
      reportAge(previous);
      return unchanged(UpdateStatus.TooSoon);
    }

    const lap = stopwatch();
    const restored = await restoreDatabase(s3, at, published, dirs.db);
    durations.restoreMs = lap();
    log.info("previous database restored", { version: previous?.version, downloaded: restored.downloaded });

    let fresh: Awaited<ReturnType<typeof runFreshclam>>;
    let check: Awaited<ReturnType<typeof verifyDatabase>>;
    try {
      fresh = await runFreshclam(tools, config, dirs, freshclamTimeoutMs(remainingMs(), caps), now).finally(
        () => saveFreshclamState(s3, at, join(dirs.db, FRESHCLAM_STATE_FILE)),
      );
      durations.freshclamMs = lap();
      if (fresh.coolDown) {
        const coolDownUntil = fresh.coolDownUntil?.toISOString();
        metrics.count("UpdateCoolDown");
        if (!previous) {
          log.error("no definitions yet: the mirror refused and nothing was ever published", {
            coolDownUntil,
            output: lastLines(fresh.output),
          });
          metrics.count(UpdaterMetrics.definitionsMissing, 1);
          return { ...unchanged(UpdateStatus.NoDefinitions), coolDownUntil };
        }
        log.warn("the mirror asked freshclam to back off; not publishing", {
          coolDownUntil,
          output: lastLines(fresh.output),
        });
        metrics.count(UpdaterMetrics.definitionsMissing, 0);
        reportAge(previous);
        return { ...unchanged(UpdateStatus.CoolDown), coolDownUntil };
      }
      check = await verifyDatabase(tools, dirs.db, dirs.base, verifyTimeoutMs(remainingMs(), caps));
      durations.verifyMs = lap();
    } catch (error) {
      metrics.count("UpdateFailures");
      if (previous) reportAge(previous);
      throw error;
    }

    const files = await describeDatabase(dirs.db);
    const { manifest, uploaded, change } = await publishDatabase(s3, at, {
      dir: dirs.db,
      files,
      previous,
      existing: published.existing,
      now: now(),
      engine: fresh.engine,
    });
    const status = manifest.version === previous?.version ? UpdateStatus.Unchanged : UpdateStatus.Published;
    if (status === UpdateStatus.Published) await recordHistory(s3, at, manifest);
    await prune(manifest);
    durations.publishMs = lap();
    log.info(status === UpdateStatus.Published ? "definitions published" : "definitions unchanged", {
      version: manifest.version,
      previousVersion: previous?.version,
      uploaded,
      signatures: check.signatures,
      durations,
    });
    metrics.count(status === UpdateStatus.Published ? "DefinitionsPublished" : "DefinitionsUnchanged");
    metrics.count(UpdaterMetrics.definitionsMissing, 0);
    reportAge(manifest);
    metrics.milliseconds("DatabaseLoadDuration", check.loadMs);
    await announce(change);
    return {
      status,
      version: manifest.version,
      uploaded,
      files,
      signatures: check.signatures,
      ...(change && { signatureChange: change }),
      durations,
    };
  }

  /** Sends `Definitions Updated` when the publish added signatures; never throws. */
  async function announce(change: SignatureChange | undefined) {
    const event = definitionsUpdatedEvent(change, at.bucket, now());
    if (!event) return;
    log.info("definitions add signatures", {
      previousVersion: event.detail.previousVersion,
      version: event.detail.version,
      signaturesAdded: event.detail.signaturesAdded,
      databases: event.detail.databases.filter((d) => d.added).map((d) => d.name),
    });
    try {
      await (deps.events ?? noEvents).publish([event]);
    } catch (error) {
      log.error("definitions event not delivered", errorAttributes(error));
      metrics.count("DefinitionsEventsLost", error instanceof EventPublishError ? error.lost : 1);
    }
  }

  /** Old definition files go once no kept manifest lists them; a failure here never fails the update. */
  async function prune(current: DefinitionsManifest) {
    try {
      const pruned = await pruneDefinitions(s3, at, {
        current,
        keep: deps.keepManifests ?? DEFAULT_KEEP_MANIFESTS,
        graceMs: deps.pruneGraceMs ?? DEFAULT_PRUNE_GRACE_MS,
        now: now(),
      });
      if (pruned.deletedFiles.length + pruned.deletedHistory.length > 0)
        log.info("old definitions deleted", { files: pruned.deletedFiles, history: pruned.deletedHistory });
    } catch (error) {
      log.warn("old definitions could not be pruned; they are kept", errorAttributes(error));
      metrics.count("PruneFailures");
    }
  }

  return { run };
}
