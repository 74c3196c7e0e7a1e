/**
 * `bucketwarden`: the command a person runs (`npx bucketwarden <command>`, through
 * scripts/bucketwarden.cjs). It parses the command line, picks the backend (`--local`: the local
 * pipeline; otherwise AWS through `cli/aws/`), and shows a run's progress and summary.
 */

import { localBackend } from "../local/cli-backend";
import { type Invocation, parseArgs, USAGE } from "./args";
import type { Backend, BacklogJob, BacklogRequest } from "./backend";
import { BackendUnavailableError, UsageError } from "./errors";
import type { LocalBackend } from "./local-commands";
import { progressBar, progressLine, RateMeter, startedText, statusText, summaryText } from "./progress";

/** Where the command writes, and what it knows of its terminal. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Raw write to stdout, for redrawing the progress bar in place. */
  write(text: string): void;
  isTTY: boolean;
  columns?: number;
  now(): number;
}

/** How the command gets its backends; tests pass fakes. */
export interface Backends {
  local(): Promise<LocalBackend>;
  aws(options: AwsOptions): Promise<Backend>;
}

/** What the AWS backend is told from the command line (cli/aws's `AwsBackendOptions`). */
export interface AwsOptions {
  stack?: string;
  outputsFile?: string;
  inventoryManifest?: string;
}

/** The AWS backend, from `cli/aws/` once it exists there (its `awsBackend(options)` factory). */
async function awsBackendFromModule(options: AwsOptions): Promise<Backend> {
  // A path held in a variable: `cli/aws/` is built by another change and may not be here yet.
  const modulePath = `${__dirname}/aws/index`;
  let mod: { awsBackend?: (o: AwsOptions) => Backend | Promise<Backend> };
  try {
    // require, not import(): the command runs as CommonJS under tsx, whose hook import() bypasses.
    mod = require(modulePath);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") throw e;
    throw new BackendUnavailableError(
      "the AWS backend is not available in this checkout (cli/aws/ is missing); use --local for the local pipeline",
      { cause: e },
    );
  }
  if (typeof mod.awsBackend !== "function")
    throw new BackendUnavailableError("cli/aws/ exports no awsBackend(options) factory");
  return mod.awsBackend(options);
}

export const defaultBackends: Backends = {
  local: () => localBackend(),
  aws: awsBackendFromModule,
};

/** How often a plain progress line is printed when output is not a terminal. */
const PLAIN_EVERY_MS = 5_000;
/** How often the bar is redrawn on a terminal. */
const BAR_EVERY_MS = 200;

/** Follows `job`, drawing progress, until it ends (summary) or `signal` aborts (resume hint). */
async function follow(
  backend: Backend,
  job: BacklogJob,
  io: Io,
  signal: AbortSignal,
  again: string,
): Promise<number> {
  io.out(startedText(job));
  const meter = new RateMeter();
  const t0 = io.now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastStatus = "";
  let drawn = false;
  const onProgress: Parameters<Backend["follow"]>[1] = (p) => {
    const now = io.now();
    meter.add(now, p.processed);
    const changed = p.status !== lastStatus;
    lastStatus = p.status;
    if (io.isTTY) {
      if (now - lastDraw < BAR_EVERY_MS && !changed) return;
      const width = Math.max(10, Math.min(40, (io.columns ?? 80) - 60));
      io.write(`\r${progressBar(p, meter.rate(), width)}\x1b[K`);
      drawn = true;
    } else {
      if (now - lastDraw < PLAIN_EVERY_MS && !changed) return;
      io.out(progressLine(p, meter.rate()));
    }
    lastDraw = now;
  };
  try {
    const summary = await backend.follow(job, onProgress, signal);
    if (drawn) io.write("\n");
    io.out(summaryText(summary, io.now() - t0));
    return summary.failed > 0 ? 1 : 0;
  } catch (e) {
    if (drawn) io.write("\n");
    if (signal.aborted) {
      io.out(
        `Stopped following run ${job.id}; the run goes on. Run \`${again}\` again to follow it (it resumes the unfinished run).`,
      );
      return 130;
    }
    throw e;
  }
}

function commandLine(inv: Exclude<Invocation, { command: "help" }>): string {
  const parts = ["npx bucketwarden", inv.command];
  if (inv.local) parts.push("--local");
  if (inv.stack) parts.push("--stack", inv.stack);
  if (inv.outputs) parts.push("--outputs", inv.outputs);
  if (inv.bucket) parts.push(inv.bucket);
  return parts.join(" ");
}

/** Runs the command in `argv`; resolves to the process exit code. */
export async function run(
  argv: readonly string[],
  io: Io,
  backends: Backends,
  signal: AbortSignal,
): Promise<number> {
  let inv: Invocation;
  try {
    inv = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`bucketwarden: ${e.message}\nRun \`npx bucketwarden --help\` for the commands.`);
    return 2;
  }
  if (inv.command === "help") {
    io.out(USAGE);
    return 0;
  }
  try {
    const backend = inv.local
      ? await backends.local()
      : await backends.aws({
          ...(inv.stack !== undefined ? { stack: inv.stack } : {}),
          ...(inv.outputs !== undefined ? { outputsFile: inv.outputs } : {}),
          ...(inv.inventory !== undefined ? { inventoryManifest: inv.inventory } : {}),
        });
    const again = commandLine(inv);
    switch (inv.command) {
      case "status":
        io.out(statusText(await backend.status(inv.bucket as string)));
        return 0;
      case "scan-existing":
      case "rescan": {
        const request: BacklogRequest = {
          kind: inv.command,
          bucket: inv.bucket as string,
          ...(inv.sinceMs !== undefined ? { sinceMs: inv.sinceMs } : {}),
        };
        return await follow(backend, await backend.start(request), io, signal, again);
      }
      case "protect": {
        const local = backend as LocalBackend;
        const result = await local.protect(inv.bucket as string, inv.strict);
        for (const s of result.steps) io.out(s);
        return await follow(
          backend,
          result.job,
          io,
          signal,
          `npx bucketwarden scan-existing --local ${result.bucket}`,
        );
      }
      case "update": {
        const local = backend as LocalBackend;
        const r = await local.update();
        io.out(
          `Updater: ${r.status}; definitions ${r.previousVersion ?? "none"} -> ${r.version ?? "none"}; ` +
            `${r.signaturesAdded} signature(s) added.`,
        );
        if (r.rescans.length === 0) io.out("No rescan needed.");
        let code = 0;
        for (const job of r.rescans)
          code = Math.max(
            code,
            await follow(backend, job, io, signal, `npx bucketwarden rescan --local ${job.request.bucket}`),
          );
        return code;
      }
    }
  } catch (e) {
    if (e instanceof BackendUnavailableError || e instanceof UsageError) {
      io.err(`bucketwarden: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  // The first Ctrl-C stops following (the run goes on); a second one ends the process at once.
  process.once("SIGINT", () => {
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  const io: Io = {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    write: (t) => process.stdout.write(t),
    isTTY: process.stdout.isTTY === true,
    columns: process.stdout.columns,
    now: () => Date.now(),
  };
  run(process.argv.slice(2), io, defaultBackends, controller.signal).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`bucketwarden: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
