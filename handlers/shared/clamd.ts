/**
 * The resident clamd process: started once per execution environment from the layer, spoken to
 * over its unix socket, restarted by its owner after a crash or a timeout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EngineError } from "../../core/errors";
import { parseClamdReply, type ScanOutcome } from "../../core/verdict";
import { renderClamdConf } from "./clamd-conf";
import { clamdCommand, instream } from "./clamd-protocol";
import { type Log, silentLog } from "./logger";
import type { ToolResolver } from "./tools";

export interface ClamdOptions {
  tools: ToolResolver;
  /** Folder for clamd.conf, its socket and its temporary files. Keep it short: sockets allow ~100 bytes. */
  workDir: string;
  /** Database folder clamd loads (and reloads) from. */
  databaseDir: string;
  maxObjectBytes: number;
  /** How long loading the database may take. */
  startTimeoutMs: number;
  log?: Log;
}

/** One scan's outcome and the number of bytes clamd was sent. */
export interface EngineScan {
  outcome: ScanOutcome;
  bytes: number;
}

/** Every clamd this process started and has not stopped: killed if the process exits first. */
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const c of children) c.kill("SIGKILL");
  });
}

/** Unix socket paths longer than this fail to bind (108 bytes including the NUL on Linux). */
const MAX_SOCKET_PATH = 100;
const OUTPUT_LINES_KEPT = 40;

export class Clamd {
  readonly socketPath: string;
  readonly confPath: string;
  private child?: ChildProcess;
  private output: string[] = [];
  private readonly log: Log;

  constructor(private readonly options: ClamdOptions) {
    this.socketPath = join(options.workDir, "clamd.sock");
    this.confPath = join(options.workDir, "clamd.conf");
    this.log = options.log ?? silentLog;
    if (Buffer.byteLength(this.socketPath) > MAX_SOCKET_PATH)
      throw new EngineError(`clamd's socket path is too long for a unix socket: ${this.socketPath}`);
  }

  /** The process id while clamd runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The last lines clamd printed, for error reports. */
  get recentOutput(): string {
    return this.output.join("\n");
  }

  /** Starts clamd and waits until it has loaded the database and answers on its socket. */
  async start(): Promise<void> {
    if (this.child) return;
    const { workDir, databaseDir, maxObjectBytes, startTimeoutMs, tools } = this.options;
    const tempDir = join(workDir, "clamd-tmp");
    await mkdir(tempDir, { recursive: true });
    await rm(this.socketPath, { force: true });
    await writeFile(
      this.confPath,
      renderClamdConf({ socketPath: this.socketPath, databaseDir, tempDir, maxObjectBytes }),
    );
    const cmd = tools("clamd", [`--config-file=${this.confPath}`, "--foreground"]);
    const started = performance.now();
    const child = spawn(cmd.command, cmd.args, {
      env: { ...process.env, ...cmd.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.output = [];
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const keep = (d: Buffer) => {
      this.output.push(...d.toString("utf8").split("\n").filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - OUTPUT_LINES_KEPT));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("error", (cause) => this.log.error("clamd could not be started", { error: cause.message }));
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      if (this.child === child) {
        this.child = undefined;
        this.log.warn("clamd exited", { code, signal, output: this.recentOutput });
      }
    });
    track(child);

    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (exit || !this.child) {
        throw new EngineError(
          `clamd exited while starting (code ${exit?.code}, signal ${exit?.signal})`,
          this.recentOutput,
        );
      }
      if ((await this.command("PING", 1000).catch(() => "")) === "PONG") break;
      if (Date.now() > deadline) {
        await this.stop();
        throw new EngineError(
          `clamd did not answer within ${startTimeoutMs} ms of starting`,
          this.recentOutput,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.log.info("clamd started", { pid: child.pid, loadMs: Math.round(performance.now() - started) });
  }

  /** Sends a command such as `PING`, `VERSION` or `RELOAD`. */
  command(command: string, timeoutMs = 5000): Promise<string> {
    return clamdCommand(this.socketPath, command, timeoutMs);
  }

  /**
   * Scans a stream. A reply clamd gives is mapped by the core (an unknown reply is an
   * {@link EngineError}); a dead socket or a timeout also stops clamd, so its owner starts a fresh one.
   */
  async scan(body: AsyncIterable<Uint8Array>, timeoutMs: number): Promise<EngineScan> {
    if (!this.child) throw new EngineError("clamd is not running");
    let reply: string;
    let bytes: number;
    try {
      ({ reply, bytes } = await instream(this.socketPath, body, timeoutMs));
    } catch (error) {
      if (error instanceof EngineError) await this.stop();
      throw error;
    }
    return { outcome: parseClamdReply(reply), bytes };
  }

  /** Stops clamd (by its own pid): TERM, then KILL if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
