/**
 * Interleaving real requests: run something (an overwrite, a delete) right after a client's request
 * of a given command has completed against the store, before the caller sees the answer.
 */
import type { S3Client } from "@aws-sdk/client-s3";

/**
 * Runs `action` once, after the first `commandName` (e.g. `GetObjectCommand`) this client sends to
 * `bucket` (the same client also reads the definitions bucket).
 */
export function onceAfter(
  client: S3Client,
  commandName: string,
  bucket: string,
  action: () => Promise<unknown>,
): void {
  let done = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      const input = args.input as { Bucket?: string };
      if (!done && context.commandName === commandName && input.Bucket === bucket) {
        done = true;
        await action();
      }
      return output;
    },
    { step: "initialize", name: `after-${commandName}-${Math.random()}` },
  );
}

/** Records the name of every command `client` sends to `bucket`, in order. */
export function commandsTo(client: S3Client, bucket: string): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if ((args.input as { Bucket?: string }).Bucket === bucket) names.push(context.commandName ?? "");
      return next(args);
    },
    { step: "initialize", name: `record-${Math.random()}` },
  );
  return names;
}
