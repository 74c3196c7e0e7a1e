/** A tiny function bundle whose behaviour each test picks per invocation, to test the local Lambda runtime. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FunctionDefinition } from "../../../local/lambda/function";

const HANDLER = `
const { spawn } = require("node:child_process");
const { tmpdir } = require("node:os");
let count = 0;
const initializedAt = Date.now();
exports.handler = async (event, context) => {
  count++;
  switch (event.action) {
    case "echo":
      return {
        count,
        initializedAt,
        pid: process.pid,
        tmp: tmpdir(),
        env: process.env,
        remaining: context.getRemainingTimeInMillis(),
        requestId: context.awsRequestId,
        functionName: context.functionName,
        arn: context.invokedFunctionArn,
      };
    case "sleep":
      await new Promise((r) => setTimeout(r, event.ms));
      return { count };
    case "spawn-and-hang": {
      const child = spawn("sleep", ["600"], { stdio: "ignore" });
      require("node:fs").writeFileSync(event.pidFile, String(child.pid));
      return new Promise(() => {});
    }
    case "throw":
      throw new TypeError("bad input");
    case "exit":
      process.exit(3);
    case "uncaught":
      setTimeout(() => { throw new Error("boom"); }, 0);
      return new Promise(() => {});
    case "date":
      return { when: new Date(0), nothing: undefined };
    default:
      return undefined;
  }
};
`;

/** Writes the bundle (or one whose loading throws) and returns a function definition for it. */
export function fakeFunction(
  opts: { timeoutMs?: number; brokenInit?: boolean; environment?: Record<string, string> } = {},
): { fn: FunctionDefinition; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "bw-fake-fn-"));
  const codeDir = join(dir, "code");
  mkdirSync(codeDir);
  writeFileSync(
    join(codeDir, "index.js"),
    opts.brokenInit ? 'throw new RangeError("cannot load");' : HANDLER,
  );
  return {
    dir,
    fn: {
      name: "fake-fn",
      codeDir,
      environment: (tmp) => ({ FAKE_SETTING: "on", WORK: `${tmp}/work`, ...opts.environment }),
      credentials: { accessKeyId: "AKFAKE", secretAccessKey: "secret" },
      region: "us-east-1",
      timeoutMs: opts.timeoutMs ?? 10_000,
    },
  };
}
