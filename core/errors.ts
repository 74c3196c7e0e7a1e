/**
 * Typed errors. Every failure in bucketwarden is one of these, carries its data and its `cause`,
 * and is never turned into a clean verdict.
 */

/** Base of every error bucketwarden throws. */
export class BucketwardenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting (stack config, handler environment, CLI flag) is missing or invalid. */
export class ConfigError extends BucketwardenError {
  constructor(
    /** The setting's name as the user writes it, e.g. `bucketwarden:updateSchedule` or `BW_TAG_KEY`. */
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${message}`, options);
  }
}

/** An incoming event is not one the scanner understands. */
export class EventParseError extends BucketwardenError {}

/** The engine answered something that is not a verdict, crashed, or timed out. */
export class EngineError extends BucketwardenError {
  constructor(
    message: string,
    /** The engine's raw reply, if any. */
    readonly reply?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The object cannot carry the verdict without dropping tags the user set. */
export class TagLimitError extends BucketwardenError {
  constructor(
    message: string,
    readonly userTagCount: number,
  ) {
    super(message);
  }
}

/** Two policy statements share a `Sid`, so one would shadow the other. */
export class PolicyConflictError extends BucketwardenError {
  constructor(readonly sid: string) {
    super(`bucket policy statement Sid "${sid}" is defined twice; rename the caller's statement`);
  }
}
