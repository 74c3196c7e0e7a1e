/**
 * The marker: walks an adopted bucket's object versions and writes what core/marker decides for each
 * (the pending mark, or, strict, the removal of unverified verdict keys), version-exact. Runs before
 * the access rule is applied (component and `protect --local`), page by page within the invocation's
 * time, and returns where a next run resumes. No engine: it needs the stamp key only.
 */
import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type ObjectVersion,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  ACTION_COUNT,
  emptyMarkCounts,
  MARK_PRE_EXISTING,
  MarkAction,
  type MarkContinuation,
  type MarkReport,
  type MarkRequest,
  markDecision,
} from "../../core/marker";
import { ScannerMetrics } from "../../core/metrics";
import { isScannerTagKey, type Tag, type TagSchema } from "../../core/tags";
import { inspectArrivingTags, PriorScan } from "../../core/verdict";
import type { Log, MetricsSink } from "../shared/logger";
import { bareETag, classifyS3Error, S3Failure } from "../shared/s3";

export interface MarkerDeps {
  /** Lists, reads and writes the bucket's tags (the scanner's credentials). */
  s3: S3Client;
  tags: TagSchema;
  /** The scan stamp key (handlers/shared/stamp-key): verdicts are verified and marks stamped with it. */
  stampKey: Buffer;
  log: Log;
  metrics: MetricsSink;
  /** Milliseconds the invocation has left. @default no deadline */
  remainingMs?: () => number;
  /** Versions handled at once. @default 8 */
  concurrency?: number;
}

/** Time kept back for a page: no new page starts with less than this left. */
export const PAGE_RESERVE_MS = 60_000;

/** Thrown inside a version's handling when it was deleted or overwritten meanwhile. */
class Changed {}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const kind = classifyS3Error(error);
    if (kind === S3Failure.NotFound || kind === S3Failure.PreconditionFailed) throw new Changed();
    throw error;
  }
}

const tagSet = (res: { TagSet?: { Key?: string; Value?: string }[] }): Tag[] =>
  (res.TagSet ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));

/**
 * Marks (or, strict, clears) the versions of `request.bucket`, resuming at `request.continuation`,
 * until the listing ends or the time left runs short. A failure other than a deleted version throws;
 * a run from the last returned continuation repeats only work that writes nothing twice.
 */
export async function markPreExisting(deps: MarkerDeps, request: MarkRequest): Promise<MarkReport> {
  const { s3, log, metrics } = deps;
  const remaining = deps.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const counts = emptyMarkCounts();
  let continuation: MarkContinuation | undefined = request.continuation;
  let done = false;
  while (!done && remaining() > PAGE_RESERVE_MS) {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: request.bucket,
        Prefix: request.prefix,
        MaxKeys: request.pageSize,
        KeyMarker: continuation?.keyMarker,
        VersionIdMarker: continuation?.versionIdMarker,
      }),
    );
    counts.deleteMarkers += page.DeleteMarkers?.length ?? 0;
    await forEachLimit(page.Versions ?? [], deps.concurrency ?? 8, async (v) => {
      counts.versions++;
      const action = await markVersion(deps, request, v).catch((error) => {
        if (error instanceof Changed) return "changed" as const;
        throw error;
      });
      if (action === "changed") counts.changed++;
      else {
        counts[ACTION_COUNT[action.action]]++;
        if (action.forged) counts.forged++;
      }
    });
    if (page.IsTruncated && page.NextKeyMarker) {
      continuation = {
        keyMarker: page.NextKeyMarker,
        ...(page.NextVersionIdMarker && { versionIdMarker: page.NextVersionIdMarker }),
      };
    } else {
      continuation = undefined;
      done = true;
    }
    log.info("pre-existing versions marked", { bucket: request.bucket, mode: request.mode, ...counts });
  }
  metrics.count("PreExistingVersionsMarked", counts.marked);
  metrics.count("PreExistingVerdictsStripped", counts.stripped);
  return {
    bucketwarden: MARK_PRE_EXISTING,
    bucket: request.bucket,
    mode: request.mode,
    done,
    ...(continuation && { continuation }),
    counts,
  };
}

async function markVersion(deps: MarkerDeps, request: MarkRequest, v: ObjectVersion) {
  const { s3, tags: schema, stampKey, log, metrics } = deps;
  const key = v.Key ?? "";
  // An unversioned bucket lists its objects as version "null": tag the object, with the ETag checks below.
  const versionId = v.VersionId && v.VersionId !== "null" ? v.VersionId : undefined;
  const eTag = bareETag(v.ETag) ?? "";
  const named = { Bucket: request.bucket, Key: key, VersionId: versionId };
  const object = { bucket: request.bucket, key, versionId, eTag };
  const sameContent = async () =>
    bareETag(
      (await call(() => s3.send(new HeadObjectCommand({ Bucket: request.bucket, Key: key })))).ETag,
    ) === eTag;
  // Unversioned: content uploaded since the listing is a new upload, which its own scan handles.
  if (!versionId && !(await sameContent())) throw new Changed();
  const existing = tagSet(await call(() => s3.send(new GetObjectTaggingCommand(named))));
  const decision = markDecision(existing, schema, stampKey, object, request.mode);
  if (decision.forged) {
    log.warn("verdict forgery attempt", {
      bucket: request.bucket,
      key,
      versionId,
      eTag,
      tags: existing.filter((t) => isScannerTagKey(t.Key, schema)),
      found: "pre-existing",
    });
    metrics.count(ScannerMetrics.verdictForgeryAttempts);
  }
  if (decision.tags === undefined) return decision;
  await call(() => s3.send(new PutObjectTaggingCommand({ ...named, Tagging: { TagSet: decision.tags } })));
  if (!versionId && decision.action === MarkAction.Mark && !(await sameContent())) {
    // Overwritten between the check and the write: the mark may sit on the new upload. Take it off
    // unless the new content's own scan has already replaced it with a verdict.
    await unmark(deps, request.bucket, key);
    throw new Changed();
  }
  return decision;
}

async function unmark(deps: MarkerDeps, bucket: string, key: string): Promise<void> {
  const { s3, tags: schema, stampKey } = deps;
  const head = await call(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  const tags = tagSet(await call(() => s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))));
  const object = { bucket, key, eTag: bareETag(head.ETag) ?? "" };
  const prior = inspectArrivingTags(tags, schema, stampKey, object, "").prior;
  if (prior === PriorScan.Current || prior === PriorScan.Older) return;
  if (!tags.some((t) => t.Key === schema.key && t.Value === schema.pendingValue)) return;
  const user = tags.filter((t) => !isScannerTagKey(t.Key, schema));
  await call(() =>
    s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: user } })),
  );
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
