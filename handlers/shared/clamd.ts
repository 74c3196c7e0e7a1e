/**
 * The resident clamd process: started once per execution environment from the layer, spoken to
 * over its unix socket, restarted by its owner after a crash or a timeout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { EngineError } from "../../core/errors";
import { parseClamdReply, type ScanOutcome } from "../../core/verdict";
import { renderClamdConf } from "./clamd-conf";
import { clamdCommand, instream } from "./clamd-protocol";
import { type Log, silentLog } from "./logger";
import { childEnvironment, type ToolResolver } from "./tools";

export interface ClamdOptions {
  tools: ToolResolver;
  /** Folder for clamd.conf, its socket and its temporary files. Keep it short: sockets allow ~100 bytes. */
  workDir: string;
  /** Database folder clamd loads (and reloads) from. */
  databaseDir: string;
  maxObjectBytes: number;
  /** clamd's `MaxScanTime` (see `engineMaxScanTimeMs` in core/handler-config). */
  maxScanTimeMs: number;
  /** Reload new definitions beside the old engine (twice the memory) rather than in place. @default true */
  concurrentReload?: boolean;
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

/** Where a socket goes when the work folder's own path is too long for one. */
const SHORT_SOCKET_ROOT = "/tmp";

/**
 * clamd's socket: inside `workDir` when that path fits a unix socket, otherwise in a private folder
 * under /tmp named after `workDir` (a checkout or a local-mode environment can sit at any depth).
 */
export function clamdSocketPath(workDir: string): string {
  const inside = join(workDir, "clamd.sock");
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH) return inside;
  const id = createHash("sha256").update(workDir).digest("hex").slice(0, 16);
  return join(SHORT_SOCKET_ROOT, `bw-clamd-${id}`, "clamd.sock");
}

/** Makes the socket's folder, refusing one that another user made or that is a link elsewhere. */
async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stat = await lstat(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0)
    throw new EngineError(`clamd's socket folder ${dir} is not a private folder of this user`);
}
const OUTPUT_LINES_KEPT = 40;

export class Clamd {
  readonly socketPath: string;
  readonly confPath: string;
  private child?: ChildProcess;
  private output: string[] = [];
  private readonly log: Log;

  constructor(private readonly options: ClamdOptions) {
    this.socketPath = clamdSocketPath(options.workDir);
    this.confPath = join(options.workDir, "clamd.conf");
    this.log = options.log ?? silentLog;
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
    const { workDir, databaseDir, maxObjectBytes, maxScanTimeMs, concurrentReload, startTimeoutMs, tools } =
      this.options;
    const tempDir = join(workDir, "clamd-tmp");
    await mkdir(tempDir, { recursive: true });
    if (dirname(this.socketPath) !== workDir) await ensurePrivateDir(dirname(this.socketPath));
    await rm(this.socketPath, { force: true });
    await writeFile(
      this.confPath,
      renderClamdConf({
        socketPath: this.socketPath,
        databaseDir,
        tempDir,
        maxObjectBytes,
        maxScanTimeMs,
        concurrentReload,
      }),
    );
    const cmd = tools("clamd", [`--config-file=${this.confPath}`, "--foreground"]);
    const started = performance.now();
    const child = spawn(cmd.command, cmd.args, {
      env: childEnvironment(cmd.env),
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
