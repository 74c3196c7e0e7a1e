/**
 * The two functions as local mode deploys them: the bundles the build wrote (what the component
 * uploads), the layers extracted, and the environment from core's builders, pointed at the store.
 */
import { handlerBundleDir } from "../core/artifacts";
import { scannerEnvironment, updaterEnvironment } from "../core/handler-config";
import type { InfectedActionsConfig } from "../core/infected-actions";
import { extractedLayerDir, type LambdaArchitecture } from "../core/layer-layout";
import { DEFAULT_SCANNER_MEMORY_MB, DEFAULT_UPDATER_MEMORY_MB } from "../core/sizing";
import type { FunctionDefinition } from "./lambda/function";
import type { StoreInfo } from "./store/index";

export const FunctionNames = { scanner: "bucketwarden-scanner", updater: "bucketwarden-updater" } as const;

export interface FunctionContext {
  projectRoot: string;
  arch: LambdaArchitecture;
  store: StoreInfo;
  definitionsBucket: string;
  timeoutSeconds: number;
}

/** The handler's scratch folder inside the environment's `/tmp`, as on Lambda (`/tmp/bucketwarden`). */
const workDir = (tmp: string) => `${tmp}/bucketwarden`;

/** Where local mode's scanner writes its verdict events instead of EventBridge. */
export interface LocalEvents {
  /** The JSON Lines file (`.local/events.jsonl`). */
  eventsFile?: string;
  /** An http(s) endpoint each event is POSTed to (`BW_EVENTS_URL` of the runner). */
  eventsUrl?: string;
  /** Quarantine and delete of infected objects (the runner's `BW_QUARANTINE_BUCKET`...). @default none */
  actions?: InfectedActionsConfig;
}

/** The scanner, with the scanner user's credentials standing in for its execution role. */
export function scannerFunction(c: FunctionContext & LocalEvents): FunctionDefinition {
  const layerRoot = extractedLayerDir(c.projectRoot, "scanner", c.arch);
  return {
    name: FunctionNames.scanner,
    codeDir: handlerBundleDir(c.projectRoot, "scanner"),
    environment: (tmp) => ({
      ...scannerEnvironment({
        definitionsBucket: c.definitionsBucket,
        layerRoot,
        workDir: workDir(tmp),
        s3Endpoint: c.store.endpoint,
        s3ForcePathStyle: true,
        eventsFile: c.eventsFile,
        eventsUrl: c.eventsUrl,
        ...c.actions,
      }),
      // The runner has its own retries and back-off; there is no SQS queue to change visibility on.
      BW_SQS_RETRY_BACKOFF: "off",
    }),
    credentials: c.store.users.scanner,
    region: c.store.region,
    timeoutMs: c.timeoutSeconds * 1000,
    memoryMb: DEFAULT_SCANNER_MEMORY_MB,
    layerRoot,
  };
}

/**
 * The updater, fetching only the local mirror's TEST signatures (the official network is out of
 * reach here). No minimum interval: the mirror is ours, so ClamAV's etiquette does not apply.
 */
export function updaterFunction(c: FunctionContext & { mirrorUrls: readonly string[] }): FunctionDefinition {
  const layerRoot = extractedLayerDir(c.projectRoot, "freshclam", c.arch);
  return {
    name: FunctionNames.updater,
    codeDir: handlerBundleDir(c.projectRoot, "updater"),
    environment: (tmp) =>
      updaterEnvironment({
        definitionsBucket: c.definitionsBucket,
        layerRoot,
        workDir: workDir(tmp),
        s3Endpoint: c.store.endpoint,
        s3ForcePathStyle: true,
        officialDatabases: false,
        customDatabaseUrls: [...c.mirrorUrls],
        minUpdateIntervalSeconds: 0,
      }),
    // The bucket owner: the store has no roles, and the owner may write the definitions bucket.
    credentials: c.store.users.owner,
    region: c.store.region,
    timeoutMs: c.timeoutSeconds * 1000,
    memoryMb: DEFAULT_UPDATER_MEMORY_MB,
    layerRoot,
  };
}
