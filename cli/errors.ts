/** The errors the `bucketwarden` command reports to the person who ran it. */
import { BucketwardenError } from "../core/errors";

/** The command line is not one the command understands; the message says what to write instead. */
export class UsageError extends BucketwardenError {}

/** The chosen backend cannot serve the command (local pipeline not running, AWS backend missing). */
export class BackendUnavailableError extends BucketwardenError {}
