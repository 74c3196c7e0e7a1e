/**
 * One object, from its event to its verdict tag: GetObject and the object's tags, the idempotence
 * check, the body streamed into the engine (never to disk), and the merged tags written on exactly the version
 * (or, unversioned, the content) that was scanned.
 */
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ObjectRef } from "../../core/events";
import type { ScannerConfig } from "../../core/handler-config";
import { type ActionRecord, actsOn, anyInfectedAction } from "../../core/infected-actions";
import { ScannerMetrics } from "../../core/metrics";
import { isScannerTagKey, type Tag } from "../../core/tags";
import { unscannableReason } from "../../core/unscannable";
import {
  inspectArrivingTags,
  isCleanStatus,
  mergeVerdictTags,
  PriorScan,
  type ScanOutcome,
  ScanStatus,
  verdictSigner,
} from "../../core/verdict";
import { ObjectReadError } from "../shared/errors";
import { errorAttributes, type Log, type MetricsSink } from "../shared/logger";
import { bareETag, bodyChunks, classifyS3Error, S3Failure } from "../shared/s3";
import { stopwatch } from "../shared/stopwatch";
import type { ScanEngine } from "./engine";
import { actOnInfected } from "./infected-actions";
import { type Durations, type ObjectResult, SkipReason } from "./results";
import { isPermanentFailure } from "./retry";

/** The signature recorded for objects too large to scan. */
export const TOO_LARGE_SIGNATURE = "Bucketwarden.Limits.Exceeded.MaxObjectBytes";

export interface ObjectScanContext {
  s3: S3Client;
  engine: ScanEngine;
  config: Pick<
    ScannerConfig,
    | "tags"
    | "maxObjectBytes"
    | "scanTimeoutMs"
    | "quarantineBucket"
    | "deleteInfected"
    | "deleteWithoutQuarantine"
  >;
  definitionsVersion: string;
  /** The scan stamp key (core/stamp): only verdicts stamped under it are the scanner's own. */
  stampKey: Buffer;
  log: Log;
  metrics: MetricsSink;
}

/** Thrown inside the pipeline to end it with a skip instead of a failure. */
class Skip {
  constructor(
    readonly reason: SkipReason,
    readonly keptStatus?: string,
  ) {}
}

/** The status part of a stamped result tag (`infected:<signature>` -> `infected`). */
function keptStatus(tags: readonly Tag[], resultKey: string): string | undefined {
  const value = tags.find((t) => t.Key === resultKey)?.Value;
  return value ? value.split(":")[0] : undefined;
}

/** Runs an S3 call; "gone" and "overwritten" answers end the object with a skip. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const kind = classifyS3Error(error);
    if (kind === S3Failure.NotFound) throw new Skip(SkipReason.Deleted);
    if (kind === S3Failure.PreconditionFailed) throw new Skip(SkipReason.Overwritten);
    throw error;
  }
}

/** Scans and tags one object. Never throws: failures come back as a `failed` result. */
export async function scanObject(ctx: ObjectScanContext, ref: ObjectRef): Promise<ObjectResult> {
  const { s3, config, log, metrics, definitionsVersion } = ctx;
  const where = { bucket: ref.bucket, key: ref.key, versionId: ref.versionId };
  const durations: Durations = { headMs: 0, getMs: 0, scanMs: 0, tagMs: 0 };
  const lap = stopwatch();
  try {
    const named = { Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId };
    // No HeadObject: the GET's answer carries everything a HEAD would (version, ETag, size), and its
    // body is one consistent read of that version or content. When the event names a real version,
    // its tags cannot change under us: fetch them beside the GET, saving a round trip.
    const pinned = ref.versionId !== undefined && ref.versionId !== "null";
    const earlyTags = pinned ? call(() => s3.send(new GetObjectTaggingCommand(named))) : undefined;
    // An early failure is awaited below; keep it from surfacing as unhandled meanwhile.
    earlyTags?.catch(() => undefined);
    const got = await call(() => s3.send(new GetObjectCommand(named)));
    durations.getMs = lap();
    const body = got.Body as { destroy?: () => void } | undefined;
    let outcome: ScanOutcome;
    let bytes = 0;
    let eTag: string;
    let size: number;
    let versionId: string | undefined;
    let existing: Tag[];
    try {
      eTag = bareETag(got.ETag) ?? "";
      size = got.ContentLength ?? 0;
      const gotVersion = ref.versionId ?? got.VersionId;
      // Versioned: every later call names the version read. Unversioned (or the "null" version, which
      // an upload replaces in place): the ETag pins the content, re-checked before tagging.
      versionId = gotVersion && gotVersion !== "null" ? gotVersion : undefined;
      const object = { Bucket: ref.bucket, Key: ref.key, VersionId: versionId };
      // Unpinned, the tags are read after the GET so that they belong to the content read, or to a
      // newer one that the re-check before tagging then finds.
      const tagging = await (earlyTags ?? call(() => s3.send(new GetObjectTaggingCommand(object))));
      existing = (tagging.TagSet ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }) as Tag);
      durations.headMs = lap();

      const stamped = { bucket: ref.bucket, key: ref.key, versionId, eTag };
      const arriving = inspectArrivingTags(existing, config.tags, ctx.stampKey, stamped, definitionsVersion);
      // A reserved key beside a current verdict still needs the tags rewritten without it.
      if (arriving.prior === PriorScan.Current && arriving.reserved.length === 0)
        throw new Skip(SkipReason.AlreadyScanned, keptStatus(existing, config.tags.resultKey));
      if (arriving.prior === PriorScan.Pending && ref.eventName?.startsWith("ObjectTagging:"))
        throw new Skip(SkipReason.PreExisting);
      if (arriving.prior === PriorScan.Forged) {
        // Verdict tags the scanner did not write: someone tried to make the object look scanned. It is
        // scanned like any other; the tags it came with are replaced.
        log.warn("verdict forgery attempt", {
          ...where,
          versionId,
          eTag,
          tags: existing.filter((t) => isScannerTagKey(t.Key, config.tags)),
        });
        metrics.count(ScannerMetrics.verdictForgeryAttempts);
      }
      if (arriving.reserved.length > 0) {
        log.warn("reserved tag keys dropped", { ...where, versionId, dropped: arriving.reserved });
        metrics.count(ScannerMetrics.reservedTagKeysDropped, arriving.reserved.length);
      }

      if (size > config.maxObjectBytes) {
        outcome = { status: ScanStatus.LimitsExceeded, signature: TOO_LARGE_SIGNATURE };
      } else {
        ({ outcome, bytes } = await ctx.engine.scan(bodyChunks(got.Body), config.scanTimeoutMs));
        // Clean means every byte was looked at: a short body is a failed read, never a clean verdict.
        if (isCleanStatus(outcome.status) && bytes !== size)
          throw new ObjectReadError(`read ${bytes} of ${size} bytes of the object, then the body ended`);
        durations.scanMs = lap();
      }
    } finally {
      // A skipped or too-large object's body is never read: close the connection rather than drain it.
      body?.destroy?.();
    }
    const object = { Bucket: ref.bucket, Key: ref.key, VersionId: versionId };

    if (!versionId) {
      const now = await call(() => s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key })));
      if (bareETag(now.ETag) !== eTag) throw new Skip(SkipReason.Overwritten);
    }
    const sign = verdictSigner(
      ctx.stampKey,
      { bucket: ref.bucket, key: ref.key, versionId, eTag },
      definitionsVersion,
    );
    const merged = mergeVerdictTags(existing, outcome, config.tags, sign);
    await call(() => s3.send(new PutObjectTaggingCommand({ ...object, Tagging: { TagSet: merged.tags } })));
    durations.tagMs = lap();

    const verdict = isCleanStatus(outcome.status) ? "clean" : "infected";
    if (merged.droppedUserTags.length > 0)
      log.warn("user tags dropped to make room for the verdict", {
        ...where,
        dropped: merged.droppedUserTags,
      });
    const reason = outcome.signature ? unscannableReason(outcome.signature) : undefined;
    if (reason)
      log.warn("object not fully scanned", { ...where, versionId, signature: outcome.signature, reason });
    log.info("verdict", {
      ...where,
      versionId,
      eTag,
      size,
      verdict,
      status: outcome.status,
      signature: outcome.signature,
      ...(reason ? { reason } : {}),
      definitionsVersion,
      durations,
    });
    metrics.count(verdict === "clean" ? "ObjectsClean" : "ObjectsInfected");
    // Limits-exceeded and unscannable objects are blocked too, but only a match is malware found.
    if (outcome.status === ScanStatus.Infected) metrics.count(ScannerMetrics.malwareDetected);
    // After the verdict is written and logged: whatever the actions do, the object is already unreadable.
    const actions: ActionRecord[] =
      actsOn(outcome.status) && anyInfectedAction(config)
        ? await actOnInfected(ctx, { bucket: ref.bucket, key: ref.key, versionId, eTag })
        : [];
    metrics.bytes("BytesScanned", bytes);
    metrics.milliseconds("ScanDuration", durations.scanMs);
    return {
      outcome: "tagged",
      object: ref,
      versionId,
      eTag,
      verdict,
      status: outcome.status,
      signature: outcome.signature,
      definitionsVersion,
      bytes,
      durations,
      actions,
    };
  } catch (error) {
    if (error instanceof Skip) {
      log.info("skipped", { ...where, reason: error.reason, definitionsVersion });
      metrics.count("ObjectsSkipped");
      return {
        outcome: "skipped",
        object: ref,
        reason: error.reason,
        ...(error.keptStatus ? { keptStatus: error.keptStatus } : {}),
      };
    }
    const e = error instanceof Error ? error : new Error(String(error));
    const permanent = isPermanentFailure(e);
    log.error(
      permanent ? "scan failed permanently; not retried, the object stays unreadable" : "scan failed",
      {
        ...where,
        definitionsVersion,
        ...errorAttributes(e),
      },
    );
    metrics.count(permanent ? "PermanentScanFailures" : "ScanFailures");
    return { outcome: "failed", object: ref, error: e, permanent };
  }
}
