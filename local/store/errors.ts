import { BucketwardenError } from "../../core/errors";

/** Base class of every failure of the local store's API; under the project's one error root. */
export class StoreError extends BucketwardenError {}

/** `store.sh` exited non-zero; `stderr` carries its explanation and the tail of the daemons' logs. */
export class StoreCommandError extends StoreError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`store.sh ${command} failed (exit ${exitCode ?? "signal"}):\n${stderr.trimEnd()}`, options);
  }
}

/** `store.json` is missing (store not started) or does not have the expected shape. */
export class StoreInfoError extends StoreError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}
