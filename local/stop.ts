/**
 * `npm stop`: ends what `npm start` started, by pid: the runner (which ends its execution
 * environments and their engines), then the store, which empties its directory. Logs are kept.
 */
import "./quiet-sdk-warning";
import { rmSync } from "node:fs";
import { type LocalPaths, localPaths } from "./paths";
import { stopGatekeeper, stopRunner } from "./start";
import { stopStore } from "./store/index";

export async function stop(paths: LocalPaths = localPaths()): Promise<void> {
  const hadRunner = await stopRunner(paths);
  console.log(hadRunner ? "Runner stopped." : "No runner was running.");
  if (await stopGatekeeper(paths)) console.log("Gatekeeper stopped.");
  await stopStore(paths.storeDir);
  console.log("Store stopped.");
  // The queue and dead letters name objects of the store that just went away.
  for (const f of [
    paths.pipelineFile,
    paths.runnerPidFile,
    paths.gatekeeperPidFile,
    paths.runnerStateFile,
    paths.journalFile,
    paths.deadLetterFile,
  ])
    rmSync(f, { force: true });
  rmSync(paths.environmentsDir, { recursive: true, force: true });
}

if (require.main === module) {
  stop().catch((e) => {
    console.error(`npm stop failed: ${(e as Error).message}`);
    process.exit(1);
  });
}
