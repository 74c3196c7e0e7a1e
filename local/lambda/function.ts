/**
 * What a Lambda function is to local mode: its code, configuration and the result of one invocation.
 * `lambdaEnvironment` is the process environment Lambda gives a Node.js function, built here once so
 * that each execution environment gets exactly that and nothing of the runner's own.
 */
import { dirname } from "node:path";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface FunctionDefinition {
  /** The function's name, e.g. `bucketwarden-scanner`. */
  name: string;
  /** The deployed code: the folder holding the bundle (`LAMBDA_TASK_ROOT`). */
  codeDir: string;
  /** The handler setting. @default "index.handler" */
  handler?: string;
  /**
   * The function's environment variables, given the environment's own `/tmp`: on Lambda every
   * environment has a private `/tmp`, here a folder per environment stands in for it.
   */
  environment: (tmpDir: string) => Record<string, string>;
  /** Credentials of the function's execution role. */
  credentials: AwsCredentials;
  region: string;
  timeoutMs: number;
  /** @default 1024 */
  memoryMb?: number;
  /** Where the function's layer is extracted (Lambda's `/opt`). */
  layerRoot?: string;
}

/** A failed invocation, as Lambda reports it. */
export interface FunctionError {
  /** The error's name, or Lambda's own type: `Sandbox.Timedout`, `Runtime.ExitError`, ... */
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface Invocation {
  requestId: string;
  environmentId: string;
  /** True when this invocation paid for starting its environment. */
  coldStart: boolean;
  durationMs: number;
  /** Set when the function returned; `undefined` is returned as `null`, as JSON has it. */
  response?: unknown;
  /** Set when the function failed. */
  error?: FunctionError;
}

/** The process environment of one execution environment, as Lambda's Node.js runtime sets it. */
export function lambdaEnvironment(
  fn: FunctionDefinition,
  environmentId: string,
  tmpDir: string,
  initializationType: "on-demand" | "provisioned-concurrency",
): Record<string, string> {
  const opt = fn.layerRoot;
  const reserved: Record<string, string> = {
    _HANDLER: fn.handler ?? "index.handler",
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split(".")[0]}.x`,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_ACCESS_KEY_ID: fn.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fn.credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb ?? 1024),
    AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${environmentId}`,
    LAMBDA_TASK_ROOT: fn.codeDir,
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    // Lambda's PATH and library path put /opt/bin and /opt/lib last; the layers must cope with that.
    PATH: [
      dirname(process.execPath),
      "/usr/local/bin",
      "/usr/bin",
      "/bin",
      ...(opt ? [`${opt}/bin`] : []),
    ].join(":"),
    LD_LIBRARY_PATH: [fn.codeDir, `${fn.codeDir}/lib`, ...(opt ? [`${opt}/lib`] : [])].join(":"),
    ...(opt ? { NODE_PATH: `${opt}/nodejs/node_modules` } : {}),
    // Lambda's /tmp is the environment's own; TMPDIR makes os.tmpdir() say so here.
    TMPDIR: tmpDir,
  };
  // Lambda refuses functions that set reserved variables; here they simply lose.
  return { ...fn.environment(tmpDir), ...reserved };
}
