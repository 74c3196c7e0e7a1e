/**
 * One execution environment: a Node process of its own that loads the function's bundle once (the
 * init phase) and then serves invocations one at a time, warm, until it fails or times out. Like on
 * Lambda, a timeout or a crash ends the whole environment, engine and `/tmp` included.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { FunctionInitError } from "../errors";
import { type FunctionDefinition, type FunctionError, type Invocation, lambdaEnvironment } from "./function";
import { killGroup, killTree } from "./process-tree";

const BOOTSTRAP = `${__dirname}/bootstrap.cjs`;

export type EnvironmentState = "initializing" | "idle" | "busy" | "dead";

type FromRuntime =
  | { type: "ready"; initDurationMs: number }
  | { type: "init-error"; error: FunctionError }
  | { type: "done"; requestId: string; response?: unknown; error?: FunctionError; fatal?: boolean };

export interface EnvironmentOptions {
  /** Where this environment's `/tmp` is made (and removed when it ends). */
  tmpRoot: string;
  /** The function's log: each line the handler prints, and Lambda's START/END/REPORT lines. */
  log: (line: string) => void;
  /** Provisioned (started ahead of traffic) or on-demand (started by an invocation). */
  initializationType: "on-demand" | "provisioned-concurrency";
}

/** What an invocation came to: a response, or an error. */
type Outcome = Pick<Invocation, "response" | "error">;

export class ExecutionEnvironment {
  readonly id: string;
  state: EnvironmentState = "initializing";
  invocations = 0;
  initDurationMs?: number;
  private readonly child: ChildProcess;
  private readonly tmpDir: string;
  private pending?: { finish: (outcome: Outcome) => void };
  private readonly exited: Promise<void>;
  private readonly initialized: Promise<void>;
  private deathCause?: string;
  private pendingErrorType = "Runtime.ExitError";
  /** Set once the environment is being ended: it finishes what it reports, then takes nothing more. */
  private dying = false;

  constructor(
    private readonly fn: FunctionDefinition,
    private readonly opts: EnvironmentOptions,
  ) {
    this.id = randomUUID().replace(/-/g, "").slice(0, 12);
    this.tmpDir = `${opts.tmpRoot}/${fn.name}-${this.id}`;
    mkdirSync(this.tmpDir, { recursive: true });
    this.child = fork(BOOTSTRAP, [], {
      cwd: fn.codeDir,
      env: lambdaEnvironment(fn, this.id, this.tmpDir, opts.initializationType),
      // A bare Node, whatever loader the runner itself was started with.
      execArgv: [],
      // Its own process group, so that the engine it starts goes with it.
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (line) => opts.log(line));
    }
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        this.onExit(code, signal);
        resolve();
      }),
    );
    // Any other failure of the channel (a send racing the child's death) ends the environment; an
    // 'error' event nobody listens to would end the runner instead.
    this.child.on("error", (error) => {
      this.opts.log(`environment ${this.id}: ${error.message}`);
      void this.kill(error.message);
    });
    this.initialized = this.waitForInit();
    // Observed by whoever awaits ready(); an environment nobody waits for must not crash the runner.
    this.initialized.catch(() => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves when the bundle is loaded; rejects (and the environment is dead) when init fails. */
  ready(): Promise<void> {
    return this.initialized;
  }

  private waitForInit(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.kill(`init timed out after ${this.fn.timeoutMs} ms`);
      }, this.fn.timeoutMs);
      const onMessage = (msg: FromRuntime) => {
        if (msg.type === "ready") {
          cleanup();
          this.initDurationMs = msg.initDurationMs;
          this.state = "idle";
          resolve();
        } else if (msg.type === "init-error") {
          cleanup();
          // Never handed out again, even in the moment before the process is seen to exit.
          this.state = "dead";
          this.opts.log(`INIT_ERROR ${msg.error.errorType}: ${msg.error.errorMessage}`);
          reject(new FunctionInitError(this.fn.name, msg.error.errorType, msg.error.errorMessage));
        }
      };
      const onExit = () => {
        cleanup();
        reject(
          new FunctionInitError(this.fn.name, "Runtime.ExitError", this.deathCause ?? "exited during init"),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.child.off("message", onMessage);
        this.child.off("exit", onExit);
      };
      this.child.on("message", onMessage);
      this.child.once("exit", onExit);
    });
  }

  /** Runs one invocation. Never rejects: failures come back as the invocation's `error`. */
  invoke(event: unknown, invokedFunctionArn: string): Promise<Omit<Invocation, "coldStart">> {
    // The pool hands out idle environments only; anything else is a bug in the pool.
    if (this.state !== "idle") throw new Error(`environment ${this.id} is ${this.state}, not idle`);
    this.state = "busy";
    this.invocations++;
    const requestId = randomUUID();
    const started = performance.now();
    const deadline = Date.now() + this.fn.timeoutMs;
    this.opts.log(`START RequestId: ${requestId} Version: $LATEST`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        void this.kill(
          `Task timed out after ${(this.fn.timeoutMs / 1000).toFixed(2)} seconds`,
          "Sandbox.Timedout",
        );
      }, this.fn.timeoutMs);
      const finish = (outcome: Outcome) => {
        clearTimeout(timer);
        this.child.off("message", onMessage);
        this.pending = undefined;
        if (this.state === "busy") this.state = this.dying ? "dead" : "idle";
        const durationMs = performance.now() - started;
        this.opts.log(`END RequestId: ${requestId}`);
        this.opts.log(
          `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms` +
            (this.invocations === 1 && this.initDurationMs !== undefined
              ? `\tInit Duration: ${this.initDurationMs.toFixed(2)} ms`
              : "") +
            (outcome.error ? `\tStatus: ${outcome.error.errorType}` : ""),
        );
        resolve({ requestId, environmentId: this.id, durationMs, ...outcome });
      };
      const onMessage = (msg: FromRuntime) => {
        if (msg.type === "done" && msg.requestId === requestId) {
          // The runtime is going down (an error escaped the handler): not to be reused, as on Lambda.
          if (msg.fatal) void this.kill(msg.error?.errorMessage ?? "runtime failed", msg.error?.errorType);
          finish(msg.error ? { error: msg.error } : { response: msg.response });
        }
      };
      this.pending = { finish };
      this.child.on("message", onMessage);
      // The child may have died a moment ago, its exit not yet seen: the send then fails (EPIPE), and
      // without a callback that failure is an 'error' event that would take the runner down.
      this.child.send({ type: "invoke", requestId, event, deadline, invokedFunctionArn }, (error) => {
        if (error) void this.kill(`the invocation could not reach the runtime: ${error.message}`);
      });
    });
  }

  /** Ends the environment and everything it started; a pending invocation fails with `errorType`. */
  kill(cause: string, errorType = "Runtime.ExitError"): Promise<void> {
    if (!this.dying && this.child.exitCode === null && this.child.signalCode === null) {
      this.dying = true;
      this.deathCause = cause;
      this.pendingErrorType = errorType;
      if (this.child.pid !== undefined) killTree(this.child.pid);
    }
    return this.exited;
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.state = "dead";
    // Whatever the handler started is still in the environment's process group (the tree below the
    // dead process can no longer be walked): end it, as Lambda ends the whole sandbox.
    if (this.child.pid !== undefined) killGroup(this.child.pid);
    rmSync(this.tmpDir, { recursive: true, force: true });
    const cause =
      this.deathCause ?? `Runtime exited with ${signal ? `signal: ${signal}` : `exit code ${code}`}`;
    this.opts.log(`environment ${this.id} ended: ${cause}`);
    this.pending?.finish({ error: { errorType: this.pendingErrorType, errorMessage: cause } });
  }
}
