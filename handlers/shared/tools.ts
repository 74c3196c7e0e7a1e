/**
 * How the handlers find and run ClamAV's tools: from a layer (`/opt` on Lambda, `.build/layers/...`
 * in tests and local mode) through the layer's own loader, as `core/layer-layout` describes.
 */
import { spawn } from "node:child_process";
import {
  type ClamTool,
  currentArchitecture,
  type LambdaArchitecture,
  type ToolCommand,
  toolCommand,
} from "../../core/layer-layout";
import { ToolError } from "./errors";

/** Turns a tool and its arguments into a command line. */
export type ToolResolver = (tool: ClamTool, args: readonly string[]) => ToolCommand;

/** Tools from a layer extracted at `root`, for the architecture of this process by default. */
export function layerTools(
  root: string,
  arch: LambdaArchitecture | undefined = currentArchitecture(),
): ToolResolver {
  if (arch === undefined)
    throw new ToolError(`no ClamAV layer for architecture ${process.arch}`, "", null, "");
  return (tool, args) => toolCommand(root, arch, tool, args);
}

/** Where Debian installs each tool: for developing on a machine with ClamAV installed, never on Lambda. */
const HOST_PATHS: Record<ClamTool, string> = {
  freshclam: "/usr/bin/freshclam",
  clamscan: "/usr/bin/clamscan",
  clamd: "/usr/sbin/clamd",
  clamdscan: "/usr/bin/clamdscan",
};

/** Tools installed on this machine (Debian's clamav packages). */
export function hostTools(): ToolResolver {
  return (tool, args) => ({ command: HOST_PATHS[tool], args: [...args], env: {} });
}

/**
 * The variables a child process may inherit from this one. Nothing else crosses: above all not the
 * function's credentials (`AWS_*`), which a parser bug in the engine would otherwise hand over.
 */
const INHERITED_VARIABLES = [
  "PATH",
  "TZ",
  "TMPDIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
] as const;

/** The minimal environment a ClamAV tool runs with: a few inherited variables plus the command's own. */
export function childEnvironment(
  extra: Readonly<Record<string, string>>,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** What a finished tool run left. */
export interface ToolRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as a person would read them. */
  output: string;
  durationMs: number;
}

/**
 * Runs a command to completion, killing it (by its own pid) after `timeoutMs`. Never rejects for a
 * non-zero exit: the caller decides what an exit code means.
 */
export function runTool(cmd: ToolCommand, timeoutMs: number, cwd?: string): Promise<ToolRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, {
      cwd,
      env: childEnvironment(cmd.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const append = (d: Buffer) => {
      output += d.toString("utf8");
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (cause) => {
      clearTimeout(timer);
      reject(
        new ToolError(`cannot run ${cmd.command}: ${cause.message}`, cmd.command, null, output, { cause }),
      );
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, output, durationMs: performance.now() - started });
    });
  });
}
