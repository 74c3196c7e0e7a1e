/** One freshclam run from the layer, with the configuration the updater's settings call for. */
import { writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import type { UpdaterConfig } from "../../core/handler-config";
import { UpdateError } from "../shared/errors";
import { runTool, type ToolResolver } from "../shared/tools";
import { freshclamArgs, isCoolDown, renderFreshclamConf } from "./freshclam-conf";
import { lastLines } from "./verify";

/** How a freshclam run ended, when it did not fail. */
export interface FreshclamRun {
  /** `freshclam --version`, recorded in the manifest. */
  engine: string;
  /** The mirror told freshclam to back off: nothing new, and no error. */
  coolDown: boolean;
  output: string;
}

/** The user freshclam must keep the files for: started as root, it drops to DatabaseOwner. */
function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/**
 * `freshclam --version`. The configuration file is passed even here: without it freshclam reads
 * Debian's `/etc/clamav/freshclam.conf`, which neither Lambda nor a fresh machine has, and prints an
 * error instead of its version.
 */
export async function freshclamVersion(tools: ToolResolver, confPath: string): Promise<string> {
  const run = await runTool(tools("freshclam", [`--config-file=${confPath}`, "--version"]), 30_000);
  const engine = run.output.trim();
  if (run.exitCode !== 0 || !ENGINE_VERSION.test(engine))
    throw new UpdateError(
      `freshclam --version did not print a version (exit ${run.exitCode}): ${lastLines(engine)}`,
    );
  return engine;
}

/** What `freshclam --version` prints, e.g. `ClamAV 1.4.6/27470/Tue Nov 25 09:25:10 2026`. */
const ENGINE_VERSION = /^ClamAV \d+\.\d+/;

/** Runs freshclam on `dbDir`; throws {@link UpdateError} when it fails (other than a cool-down). */
export async function runFreshclam(
  tools: ToolResolver,
  config: UpdaterConfig,
  dirs: { base: string; db: string },
  timeoutMs: number,
): Promise<FreshclamRun> {
  const confPath = join(dirs.base, "freshclam.conf");
  await writeFile(
    confPath,
    renderFreshclamConf({ ...config, databaseDir: dirs.db, databaseOwner: currentUser() }),
  );
  const engine = await freshclamVersion(tools, confPath);
  const run = await runTool(tools("freshclam", freshclamArgs(confPath, config)), timeoutMs);
  if (isCoolDown(run.output)) return { engine, coolDown: true, output: run.output };
  if (run.exitCode !== 0)
    throw new UpdateError(
      `freshclam failed (exit ${run.exitCode ?? run.signal}); nothing published: ${lastLines(run.output)}`,
    );
  return { engine, coolDown: false, output: run.output };
}
