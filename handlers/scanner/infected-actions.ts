/**
 * The built-in actions on an infected object (core/infected-actions), run once its verdict tag is
 * written: copy the version scanned, bytes and verdict tags, to the quarantine bucket, then delete
 * that version from the upload bucket. An action that fails leaves the object where it is, tagged
 * infected and unreadable: the tag is what keeps readers safe, the actions only tidy up. So a failure
 * is recorded, logged and counted, never retried, and never turns the verdict into a failed scan; a
 * failed copy means no delete, so the evidence is never lost.
 */
import { CopyObjectCommand, DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ScannerConfig } from "../../core/handler-config";
import { ActionOutcome, type ActionRecord, InfectedAction } from "../../core/infected-actions";
import { ScannerMetrics } from "../../core/metrics";
import { errorAttributes, type Log, type MetricsSink } from "../shared/logger";

/** The version that was scanned and tagged infected. */
export interface InfectedVersion {
  bucket: string;
  key: string;
  /** Undefined for an unversioned bucket: then the ETag pins the content. */
  versionId?: string;
  eTag: string;
}

export interface ActionContext {
  s3: S3Client;
  config: Pick<ScannerConfig, "quarantineBucket" | "deleteInfected">;
  log: Log;
  metrics: MetricsSink;
}

/** An object's `x-amz-copy-source`: each key segment URL-encoded, the version appended. */
export function copySource(bucket: string, key: string, versionId: string | undefined): string {
  const path = `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return versionId === undefined ? path : `${path}?versionId=${encodeURIComponent(versionId)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs the configured actions on one infected version; returns what each did, in order. */
export async function actOnInfected(ctx: ActionContext, object: InfectedVersion): Promise<ActionRecord[]> {
  const { s3, config, log, metrics } = ctx;
  const where = { bucket: object.bucket, key: object.key, versionId: object.versionId };
  const records: ActionRecord[] = [];
  let kept = false;

  if (config.quarantineBucket !== undefined) {
    const to = { bucket: config.quarantineBucket, key: object.key };
    try {
      const out = await s3.send(
        new CopyObjectCommand({
          Bucket: to.bucket,
          Key: to.key,
          CopySource: copySource(object.bucket, object.key, object.versionId),
          // Unversioned, the key may hold newer content by now: copy only what was scanned.
          ...(object.versionId === undefined ? { CopySourceIfMatch: `"${object.eTag}"` } : {}),
          // The source's tags, verdict included, travel with the copy. Not REPLACE: the access rule
          // denies every upload whose request tags carry a verdict key, the scanner's too.
          TaggingDirective: "COPY",
        }),
      );
      kept = true;
      records.push({
        action: InfectedAction.Quarantine,
        outcome: ActionOutcome.Done,
        ...to,
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
      });
      log.info("infected object quarantined", { ...where, quarantine: { ...to, versionId: out.VersionId } });
      metrics.count(ScannerMetrics.infectedQuarantined);
    } catch (error) {
      records.push({
        action: InfectedAction.Quarantine,
        outcome: ActionOutcome.Failed,
        ...to,
        error: describe(error),
      });
      log.error("quarantine copy failed; the object stays in place, tagged infected", {
        ...where,
        ...errorAttributes(error),
      });
      metrics.count(ScannerMetrics.infectedActionFailures);
    }
  }

  if (config.deleteInfected) {
    const from = { bucket: object.bucket, key: object.key };
    const skip = (reason: string) => {
      records.push({ action: InfectedAction.Delete, outcome: ActionOutcome.Skipped, ...from, reason });
      log.warn("infected object not deleted", { ...where, reason });
    };
    if (config.quarantineBucket !== undefined && !kept) {
      skip("the quarantine copy failed, so the only copy is kept");
      metrics.count(ScannerMetrics.infectedActionFailures);
    } else if (object.versionId === undefined) {
      // A key of an unversioned bucket may hold a newer, clean upload by now; deleting it could lose
      // that. Only a version can be deleted knowing exactly what goes.
      skip("unversioned bucket: only a scanned version can be deleted safely");
    } else {
      try {
        await s3.send(
          new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }),
        );
        records.push({
          action: InfectedAction.Delete,
          outcome: ActionOutcome.Done,
          ...from,
          versionId: object.versionId,
        });
        log.info("infected version deleted", where);
        metrics.count(ScannerMetrics.infectedDeleted);
      } catch (error) {
        records.push({
          action: InfectedAction.Delete,
          outcome: ActionOutcome.Failed,
          ...from,
          versionId: object.versionId,
          error: describe(error),
        });
        log.error("delete of the infected version failed; it stays, tagged infected", {
          ...where,
          ...errorAttributes(error),
        });
        metrics.count(ScannerMetrics.infectedActionFailures);
      }
    }
  }
  return records;
}
