/**
 * The gatekeeper's own process: `node -r tsx/cjs local/gatekeeper-daemon.ts <state dir> [port]`.
 * It lives apart from the runner so that the endpoint users upload to stays up, on the same port,
 * while the runner is down or restarted (uploads made meanwhile are scanned when it is back). It
 * serves the store named by `<state dir>/store/store.json` and publishes itself in
 * `gatekeeper.json` (address, the store it serves, refusals by reason), rewritten at each refusal.
 */
import "./quiet-sdk-warning";
import { rmSync } from "node:fs";
import { DEFAULT_TAG_SCHEMA } from "../core/tags";
import { PipelineStartError } from "./errors";
import { startGatekeeper } from "./gatekeeper";
import { jsonLogger } from "./log";
import { localPaths } from "./paths";
import { writeJsonFile } from "./pipeline";
import { readStore } from "./store/index";

/** What `gatekeeper.json` holds. */
export interface GatekeeperState {
  pid: number;
  url: string;
  port: number;
  /** The gateway it forwards to: a gatekeeper of an older store is replaced. */
  upstream: string;
  refused: Record<string, number>;
}

async function main(): Promise<void> {
  const root = process.argv[2];
  if (!root) throw new PipelineStartError("usage: gatekeeper-daemon.ts <state dir> [port]");
  const paths = localPaths(root);
  const store = readStore(paths.storeDir);
  const log = jsonLogger(paths.gatekeeperLog);
  const port = Number(process.argv[3] ?? 0);
  let state: GatekeeperState | undefined;
  const gatekeeper = await startGatekeeper({
    upstream: store.endpoint,
    pipelineKeys: new Set([store.users.owner.accessKeyId, store.users.scanner.accessKeyId]),
    tags: DEFAULT_TAG_SCHEMA,
    log,
    port: Number.isSafeInteger(port) && port > 0 ? port : undefined,
    refusedChanged: (refused) => {
      if (!state) return;
      state = { ...state, refused };
      writeJsonFile(paths.gatekeeperFile, state);
    },
  });
  state = {
    pid: process.pid,
    url: gatekeeper.url,
    port: gatekeeper.port,
    upstream: store.endpoint,
    refused: {},
  };
  writeJsonFile(paths.gatekeeperFile, state);
  log.info("gatekeeper listening", { url: gatekeeper.url, upstream: store.endpoint });
  const stop = async () => {
    rmSync(paths.gatekeeperFile, { force: true });
    await gatekeeper.close();
    await log.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
