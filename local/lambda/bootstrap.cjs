// The runtime inside one local execution environment: what Lambda's Node.js runtime interface client
// does, over an IPC channel instead of the Runtime API's HTTP. Plain JavaScript on purpose: it runs the
// bundle in a bare Node, as Lambda does, with no TypeScript loader that could change how it loads.
"use strict";
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const send = (msg) => process.send?.(msg);
let current; // the invocation in progress: { requestId, settle }

function describe(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: e.name || "Error",
    errorMessage: e.message,
    trace: String(e.stack || "").split("\n"),
  };
}

// Lambda's own rule: an error that escapes the handler's promise chain ends the environment.
function fatal(errorType) {
  return (err) => {
    const error = { ...describe(err), errorType };
    if (current) current.settle({ error, fatal: true });
    else send({ type: "init-error", error });
    process.exitCode = 1;
    setImmediate(() => process.exit(1));
  };
}
process.on("uncaughtException", fatal("Runtime.UncaughtException"));
// The runner is gone (killed, crashed): nothing can invoke this environment any more, so it ends,
// with the engine the handler started (same process group; the runner made this process its leader).
process.on("disconnect", () => {
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    process.exit(1);
  }
});
process.on("unhandledRejection", fatal("Runtime.UnhandledPromiseRejection"));

async function loadHandler() {
  const spec = process.env._HANDLER;
  const dot = spec.lastIndexOf(".");
  const file = path.join(process.env.LAMBDA_TASK_ROOT, spec.slice(0, dot));
  const name = spec.slice(dot + 1);
  let mod;
  for (const ext of [".js", ".cjs", ".mjs"]) {
    try {
      mod = ext === ".mjs" ? await import(pathToFileURL(file + ext).href) : require(file + ext);
      break;
    } catch (e) {
      if (
        e &&
        (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_MODULE_NOT_FOUND") &&
        String(e.message).includes(file)
      )
        continue;
      if (e && e.code === "ERR_REQUIRE_ESM") {
        mod = await import(pathToFileURL(file + ext).href);
        break;
      }
      throw e;
    }
  }
  if (!mod)
    throw Object.assign(new Error(`Cannot find module '${spec.slice(0, dot)}'`), {
      name: "Runtime.ImportModuleError",
    });
  const fn = mod[name] ?? mod.default?.[name];
  if (typeof fn !== "function")
    throw Object.assign(new Error(`${spec} is undefined or not exported`), {
      name: "Runtime.HandlerNotFound",
    });
  return fn;
}

function invoke(handler, msg) {
  const { requestId, event, deadline, invokedFunctionArn } = msg;
  let settled = false;
  const settle = (outcome) => {
    if (settled) return;
    settled = true;
    current = undefined;
    // Lambda serialises the response as JSON; what does not survive that does not reach the caller.
    const response = outcome.error ? undefined : JSON.parse(JSON.stringify(outcome.response ?? null));
    send({ type: "done", requestId, response, error: outcome.error, fatal: outcome.fatal });
  };
  current = { requestId, settle };
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, res) => (err ? settle({ error: describe(err) }) : settle({ response: res })),
    fail: (err) => settle({ error: describe(err) }),
    succeed: (res) => settle({ response: res }),
  };
  const callback = (err, res) => (err ? settle({ error: describe(err) }) : settle({ response: res }));
  try {
    const out = handler(event, context, callback);
    if (out && typeof out.then === "function") {
      out.then(
        (response) => settle({ response }),
        (err) => settle({ error: describe(err) }),
      );
    } else if (handler.length < 3) {
      settle({ response: out });
    }
  } catch (err) {
    settle({ error: describe(err) });
  }
}

(async () => {
  const started = process.hrtime.bigint();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    send({ type: "init-error", error: describe(err) });
    process.exit(1);
  }
  process.on("message", (msg) => {
    if (msg && msg.type === "invoke") invoke(handler, msg);
  });
  send({ type: "ready", initDurationMs: Number(process.hrtime.bigint() - started) / 1e6 });
})();
