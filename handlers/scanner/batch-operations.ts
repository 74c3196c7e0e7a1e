/**
 * The scanner's S3 Batch Operations entry point: each task of an invocation goes through the same
 * per-object path as an upload's event, on the engine the execution environment already has loaded,
 * and comes back as `Succeeded`, `TemporaryFailure` or `PermanentFailure` (core/batch-operations).
 */
import {
  type BatchInvocation,
  type BatchOperationsResponse,
  BatchResultCode,
  type BatchTaskResult,
  batchOperationsResponse,
} from "../../core/batch-operations";
import type { ObjectRef } from "../../core/events";
import { isCleanStatus } from "../../core/verdict";
import { errorAttributes, type Log } from "../shared/logger";
import { type ObjectResult, SkipReason } from "./results";

/** A task's answer, without its id. */
export type TaskOutcome = Omit<BatchTaskResult, "taskId">;

/**
 * What one object's result means to Batch Operations:
 * - a verdict written, or one already there from the current definitions (its stamp verified), is
 *   done: `clean`, or `<status>:<signature>` (e.g. `infected:Eicar-Signature`), or
 *   `skipped:already-scanned:<status>` (the status of the verdict kept, e.g. `clean`);
 * - a deleted object or version can never be scanned: `PermanentFailure`, as is a failure no retry
 *   can change (the 10-tag limit, `InvalidTag`: scanner/retry.ts);
 * - an unversioned object overwritten while it was scanned is retried, so that the retry scans the
 *   content now there (or skips it if its own event got there first);
 * - anything else (throttling, the engine or definitions not ready) is retried by Batch Operations.
 */
export function taskOutcome(result: ObjectResult): TaskOutcome {
  switch (result.outcome) {
    case "tagged":
      return {
        resultCode: BatchResultCode.Succeeded,
        resultString: isCleanStatus(result.status)
          ? "clean"
          : `${result.status}:${result.signature ?? "unknown"}`,
      };
    case "skipped":
      return {
        resultCode:
          result.reason === SkipReason.AlreadyScanned
            ? BatchResultCode.Succeeded
            : result.reason === SkipReason.Deleted
              ? BatchResultCode.PermanentFailure
              : BatchResultCode.TemporaryFailure,
        resultString: `skipped:${result.reason}${result.keptStatus ? `:${result.keptStatus}` : ""}`,
      };
    case "failed":
      return {
        resultCode: result.permanent ? BatchResultCode.PermanentFailure : BatchResultCode.TemporaryFailure,
        resultString: `failed:${result.error.name}: ${result.error.message}`,
      };
  }
}

/**
 * Scans the objects of `invocation`'s tasks with `scanObjects` (the scanner's, which never throws for
 * an object) and answers every task. A task whose object could not be read from the event is answered
 * `PermanentFailure` without a scan.
 */
export async function answerBatchInvocation(
  invocation: BatchInvocation,
  scanObjects: (refs: readonly ObjectRef[]) => Promise<ObjectResult[]>,
  log: Log,
): Promise<BatchOperationsResponse> {
  const scannable = invocation.tasks.flatMap((t) => (t.object ? [t.object] : []));
  const scanned = new Map<ObjectRef, ObjectResult>();
  for (const result of await scanObjects(scannable)) scanned.set(result.object, result);
  const results = invocation.tasks.map((task): BatchTaskResult => {
    const result = task.object ? scanned.get(task.object) : undefined;
    if (result) return { taskId: task.taskId, ...taskOutcome(result) };
    log.error("Batch Operations task names no object", {
      jobId: invocation.jobId,
      taskId: task.taskId,
      ...errorAttributes(task.error),
    });
    const reason = task.error ? `${task.error.name}: ${task.error.message}` : "no result";
    return {
      taskId: task.taskId,
      resultCode: BatchResultCode.PermanentFailure,
      resultString: `failed:${reason}`,
    };
  });
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.resultCode] = (counts[r.resultCode] ?? 0) + 1;
  log.info("Batch Operations invocation answered", {
    jobId: invocation.jobId,
    invocationId: invocation.invocationId,
    tasks: results.length,
    ...counts,
  });
  return batchOperationsResponse(invocation, results);
}
