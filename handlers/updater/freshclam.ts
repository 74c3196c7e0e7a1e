/** One freshclam run from the layer, with the configuration the updater's settings call for. */
import { readFile, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import type { UpdaterConfig } from "../../core/handler-config";
import { UpdateError } from "../shared/errors";
import { runTool, type ToolResolver } from "../shared/tools";
import { freshclamArgs, isCoolDown, renderFreshclamConf } from "./freshclam-conf";
import { coolDownUntil, FRESHCLAM_STATE_FILE } from "./state";
import { lastLines } from "./verify";

/** How a freshclam run ended, when it did not fail. */
export interface FreshclamRun {
  /** `freshclam --version`, recorded in the manifest. */
  engine: string;
  /** The mirror told freshclam to back off (now or in an earlier run): nothing new, and no error. */
  coolDown: boolean;
  /** When the mirror's cool-down ends, as freshclam recorded it. */
  coolDownUntil?: Date;
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

/**
 * Runs freshclam on `dbDir`; throws {@link UpdateError} when it fails, other than by a mirror's
 * refusal (HTTP 429 or 403), which is a cool-down: freshclam's state file then holds its end.
 */
export async function runFreshclam(
  tools: ToolResolver,
  config: UpdaterConfig,
  dirs: { base: string; db: string },
  timeoutMs: number,
  now: () => Date = () => new Date(),
): Promise<FreshclamRun> {
  const confPath = join(dirs.base, "freshclam.conf");
  await writeFile(
    confPath,
    renderFreshclamConf({ ...config, databaseDir: dirs.db, databaseOwner: currentUser() }),
  );
  const engine = await freshclamVersion(tools, confPath);
  const run = await runTool(tools("freshclam", freshclamArgs(confPath, config)), timeoutMs);
  const recordedCoolDown = async () => {
    const state = await readFile(join(dirs.db, FRESHCLAM_STATE_FILE)).catch(() => undefined);
    const until = state && coolDownUntil(state);
    return until && until.getTime() > now().getTime() ? until : undefined;
  };
  if (isCoolDown(run.output))
    return { engine, coolDown: true, coolDownUntil: await recordedCoolDown(), output: run.output };
  if (run.signal === "SIGKILL" && run.durationMs >= timeoutMs)
    throw new UpdateError(
      `freshclam was stopped after ${timeoutMs} ms, the time this invocation could give it; nothing published: ${lastLines(run.output)}`,
    );
  if (run.exitCode !== 0) {
    // A refusal ends freshclam's run with an error, but it records the cool-down the mirror asked for.
    const until = await recordedCoolDown();
    if (until) return { engine, coolDown: true, coolDownUntil: until, output: run.output };
    throw new UpdateError(
      `freshclam failed (exit ${run.exitCode ?? run.signal}); nothing published: ${lastLines(run.output)}`,
    );
  }
  return { engine, coolDown: false, output: run.output };
}
