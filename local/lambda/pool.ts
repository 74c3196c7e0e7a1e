/**
 * A function with up to `concurrency` execution environments: an invocation goes to a warm idle
 * environment when there is one, and otherwise starts a new one (a cold start). Environments that
 * die (timeout, crash, killed from outside) are dropped and replaced on the next invocation.
 */
import { FunctionInitError } from "../errors";
import { ExecutionEnvironment } from "./environment";
import type { FunctionDefinition, Invocation } from "./function";

export interface PoolOptions {
  /** Environments running at once: Lambda's reserved concurrency. */
  concurrency: number;
  /** Where environments make their `/tmp`. */
  tmpRoot: string;
  /** The function's log. */
  log: (line: string) => void;
}

export interface EnvironmentStatus {
  id: string;
  pid?: number;
  state: ExecutionEnvironment["state"];
  invocations: number;
}

export class FunctionPool {
  private environments: ExecutionEnvironment[] = [];
  private busy = 0;
  /** Environments an invocation has picked, so that two invocations never share one. */
  private readonly claimed = new Set<ExecutionEnvironment>();

  constructor(
    readonly fn: FunctionDefinition,
    private readonly opts: PoolOptions,
  ) {}

  /** The ARN a caller invokes, as the function's context reports it. */
  get arn(): string {
    return `arn:aws:lambda:${this.fn.region}:000000000000:function:${this.fn.name}`;
  }

  /** How many more invocations can start now. */
  get available(): number {
    return this.opts.concurrency - this.busy;
  }

  /**
   * Starts every environment ahead of traffic (provisioned concurrency), so that the first objects
   * do not wait for a cold start. Rejects with {@link FunctionInitError} if the code does not load.
   */
  async provision(): Promise<void> {
    this.prune();
    const missing = this.opts.concurrency - this.environments.length;
    const fresh = Array.from({ length: missing }, () => this.spawn("provisioned-concurrency"));
    await Promise.all(fresh.map((e) => e.ready()));
  }

  /** Invokes the function once. Failures (init, handler error, timeout, crash) come back in `error`. */
  async invoke(event: unknown): Promise<Invocation> {
    // The caller (the dispatcher) checks `available` first; getting here without capacity is its bug.
    if (this.available <= 0) throw new Error(`${this.fn.name}: no capacity; check available first`);
    this.prune();
    // A warm environment if there is one; else one still starting that no one else waits for; else a new one.
    const env =
      this.environments.find((e) => e.state === "idle" && !this.claimed.has(e)) ??
      this.environments.find((e) => e.state === "initializing" && !this.claimed.has(e)) ??
      this.spawn("on-demand");
    const coldStart = env.state === "initializing";
    this.busy++;
    this.claimed.add(env);
    try {
      try {
        await env.ready();
      } catch (e) {
        void env.kill("init failed");
        return {
          requestId: "",
          environmentId: env.id,
          coldStart,
          durationMs: 0,
          error: {
            errorType: e instanceof FunctionInitError ? e.errorType : "Runtime.Unknown",
            errorMessage: String((e as Error).message),
          },
        };
      }
      return { ...(await env.invoke(event, this.arn)), coldStart };
    } finally {
      this.claimed.delete(env);
      this.busy--;
    }
  }

  status(): EnvironmentStatus[] {
    this.prune();
    return this.environments.map((e) => ({
      id: e.id,
      pid: e.pid,
      state: e.state,
      invocations: e.invocations,
    }));
  }

  /** Ends every environment. */
  async shutdown(): Promise<void> {
    await Promise.all(this.environments.map((e) => e.kill("shutdown")));
    this.environments = [];
  }

  private spawn(initializationType: "on-demand" | "provisioned-concurrency"): ExecutionEnvironment {
    const env = new ExecutionEnvironment(this.fn, {
      tmpRoot: this.opts.tmpRoot,
      log: this.opts.log,
      initializationType,
    });
    this.environments.push(env);
    return env;
  }

  private prune(): void {
    this.environments = this.environments.filter((e) => e.state !== "dead");
  }
}
