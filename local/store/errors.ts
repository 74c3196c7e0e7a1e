/** Base class of every failure of the local store's API. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

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
