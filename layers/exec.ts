/** Runs the build's external commands (apt, dpkg-deb, patchelf) and turns failures into errors. */
import { spawnSync } from "node:child_process";
import { CommandError } from "./errors";

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs `command` to completion and returns its standard output; a non-zero exit throws {@link CommandError}. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    const stderr = result.error ? String(result.error) : result.stderr || `exit status ${result.status}`;
    throw new CommandError([command, ...args], stderr, { cause: result.error });
  }
  return result.stdout;
}

/** Runs a command; the build's edge depends on this shape so tests can replace it. */
export type Runner = typeof run;
