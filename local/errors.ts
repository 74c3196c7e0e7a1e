/** Local mode's errors: typed, carrying their data and `cause`, like the rest of bucketwarden's. */
import { BucketwardenError } from "../core/errors";

/** Base of local mode's errors. */
export class LocalModeError extends BucketwardenError {}

/** The runner's queue journal cannot be read. */
export class JournalError extends LocalModeError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** The pipeline did not come up, or a part of it is not what local mode expects. */
export class PipelineStartError extends LocalModeError {}

/** An execution environment could not load the function (Lambda's init phase failed). */
export class FunctionInitError extends LocalModeError {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName} failed to initialise: ${errorType}: ${message}`);
  }
}
