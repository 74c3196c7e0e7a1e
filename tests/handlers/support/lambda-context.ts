/** A Lambda `context` as the runtime hands it to a handler, for entry-point tests. */
import type { Context } from "aws-lambda";
import sinon from "sinon";

export function fakeContext(
  awsRequestId: string,
  functionName = "bucketwarden-test",
  remainingMs = 600_000,
): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "3008",
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/11/26/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The JSON lines among what was written to stdout. */
export function jsonLines(written: readonly string[]): Array<Record<string, unknown>> {
  return written
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Keeps what is written to stdout and stderr (Powertools writes errors and warnings to stderr) until
 * `sinon.restore()`, passing it on.
 */
export function captureOutput(): string[] {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    sinon.stub(stream, "write").callsFake((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
  }
  return written;
}
