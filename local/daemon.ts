/**
 * The runner process that `npm start` leaves in the background: `node -r tsx/cjs local/daemon.ts
 * <state dir>`. It writes `runner.json` once the pipeline is ready and removes it when it stops.
 * SIGTERM stops it gracefully; whatever it had not finished stays in the journal.
 */
import "./quiet-sdk-warning";
import { rmSync } from "node:fs";
import { pipelineBuckets } from "./buckets";
import { PipelineStartError } from "./errors";
import { jsonLogger } from "./log";
import { localPaths, PROJECT_ROOT } from "./paths";
import { writeJsonFile } from "./pipeline";
import { Runner } from "./runner";
import { parseLocalSettings } from "./settings";
import { readStore } from "./store/index";

async function main(): Promise<void> {
  const root = process.argv[2];
  if (!root) throw new PipelineStartError("usage: daemon.ts <state dir>");
  const paths = localPaths(root);
  const log = jsonLogger(paths.runnerLog);
  const settings = parseLocalSettings();
  const store = readStore(paths.storeDir);
  log.info("runner starting", { pid: process.pid, settings });
  let runner: Runner;
  try {
    runner = await Runner.start({
      paths,
      settings,
      store,
      buckets: pipelineBuckets(settings, store),
      projectRoot: PROJECT_ROOT,
      log,
    });
  } catch (e) {
    log.error("runner failed to start", { error: (e as Error).message, stack: (e as Error).stack });
    await log.close();
    throw e;
  }
  writeJsonFile(paths.runnerFile, runner.status());

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("runner stopping", { signal });
    rmSync(paths.runnerFile, { force: true });
    await runner.stop();
    log.info("runner stopped");
    await log.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
