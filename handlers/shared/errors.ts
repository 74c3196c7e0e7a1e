/**
 * Errors raised at the handlers' edges (S3, the engine process, freshclam). All extend the core's
 * {@link BucketwardenError}, carry their data and `cause`, and never stand for a clean verdict.
 */
import { BucketwardenError } from "../../core/errors";

/** No usable definitions: none published yet, or what was published cannot be fetched or checked. */
export class DefinitionsError extends BucketwardenError {}

/** A downloaded definitions file does not have the hash the manifest promises. */
export class DefinitionsIntegrityError extends DefinitionsError {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`definitions file ${file} has sha256 ${actual}, the manifest says ${expected}`);
  }
}

/** A tool from the layer could not run, or exited with a failure. */
export class ToolError extends BucketwardenError {
  constructor(
    message: string,
    readonly tool: string,
    readonly exitCode: number | null,
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reading an object failed mid-stream; the engine was not asked for a verdict on part of it. */
export class ObjectReadError extends BucketwardenError {}

/** The updater did not publish: freshclam failed or the database did not load. */
export class UpdateError extends BucketwardenError {}

/** One or more objects of a direct invocation could not be scanned and tagged. */
export class ScanFailedError extends BucketwardenError {
  constructor(
    message: string,
    /** The failures, one per object. */
    readonly failures: ReadonlyArray<{ bucket: string; key: string; error: Error }>,
  ) {
    super(message, { cause: failures[0]?.error });
  }
}

/** Verdict events were not delivered (EventBridge refused entries, the file or endpoint failed). */
export class EventPublishError extends BucketwardenError {
  constructor(
    message: string,
    /** How many events were lost. */
    readonly lost: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
