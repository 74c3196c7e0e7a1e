/**
 * The handlers' configuration: environment variable names, defaults and validation. The component,
 * local mode's runner and the tests *write* it with `scannerEnvironment`/`updaterEnvironment`; the
 * handlers *read* it with `parseScannerConfig`/`parseUpdaterConfig`. Nothing else names a variable.
 */
import { ConfigError } from "./errors";
import { checkInfectedActions, type InfectedActionsConfig } from "./infected-actions";
import { DEFAULT_TAG_SCHEMA, type TagSchema, tagSchema } from "./tags";

/** Every environment variable the handlers read. */
export const EnvVars = {
  definitionsBucket: "BW_DEFINITIONS_BUCKET",
  definitionsPrefix: "BW_DEFINITIONS_PREFIX",
  tagKey: "BW_TAG_KEY",
  tagInfectedValue: "BW_TAG_INFECTED_VALUE",
  tagCleanValue: "BW_TAG_CLEAN_VALUE",
  tagResultKey: "BW_TAG_RESULT_KEY",
  tagStampKey: "BW_TAG_STAMP_KEY",
  tagPendingValue: "BW_TAG_PENDING_VALUE",
  layerRoot: "BW_LAYER_ROOT",
  workDir: "BW_WORK_DIR",
  s3Endpoint: "BW_S3_ENDPOINT",
  s3ForcePathStyle: "BW_S3_FORCE_PATH_STYLE",
  maxObjectBytes: "BW_MAX_OBJECT_BYTES",
  scanTimeoutMs: "BW_SCAN_TIMEOUT_MS",
  engineStartTimeoutMs: "BW_ENGINE_START_TIMEOUT_MS",
  definitionsCheckIntervalMs: "BW_DEFINITIONS_CHECK_INTERVAL_MS",
  concurrentReload: "BW_CONCURRENT_RELOAD",
  officialDatabases: "BW_FRESHCLAM_OFFICIAL",
  databaseMirrors: "BW_FRESHCLAM_MIRRORS",
  privateMirrors: "BW_FRESHCLAM_PRIVATE_MIRRORS",
  customDatabaseUrls: "BW_FRESHCLAM_CUSTOM_URLS",
  minUpdateIntervalSeconds: "BW_MIN_UPDATE_INTERVAL_SECONDS",
  eventBusName: "BW_EVENT_BUS_NAME",
  eventsFile: "BW_EVENTS_FILE",
  eventsUrl: "BW_EVENTS_URL",
  quarantineBucket: "BW_QUARANTINE_BUCKET",
  deleteInfected: "BW_DELETE_INFECTED",
  deleteWithoutQuarantine: "BW_DELETE_WITHOUT_QUARANTINE",
} as const;

/** ClamAV cannot scan a single file over about 2 GB. */
export const ENGINE_MAX_OBJECT_BYTES = 2_000_000_000;

/** The most of a scan's time kept back from the engine for streaming the object to it and tagging. */
export const ENGINE_SCAN_HEADROOM_MS = 30_000;

/**
 * clamd's `MaxScanTime` for a scan timeout. The engine's own default (120 s) would cut a large
 * legitimate archive short long before the scanner gives up, and turn it into a permanent
 * limits-exceeded verdict; the scanner's timeout, on the other hand, only ends in a failed scan that
 * is retried. So the engine gets the scan timeout less a headroom (half of it, at most
 * {@link ENGINE_SCAN_HEADROOM_MS}) for getting the bytes to clamd, which counts toward the timeout
 * but not toward clamd's clock: a scan that runs long then ends with the engine's own
 * `Heuristics.Limits.Exceeded.MaxScanTime`, a limits-exceeded verdict, before the timeout fires.
 */
export function engineMaxScanTimeMs(scanTimeoutMs: number): number {
  const headroom = Math.min(ENGINE_SCAN_HEADROOM_MS, Math.floor(scanTimeoutMs / 2));
  return Math.max(1, scanTimeoutMs - headroom);
}

/** ClamAV asks mirrors' users not to check more often than hourly. */
export const OFFICIAL_MIN_UPDATE_INTERVAL_SECONDS = 3600;

/** Settings both handlers share. */
export interface CommonConfig {
  /** Bucket that holds the signature database and its manifest. */
  definitionsBucket: string;
  /** Key prefix of the database inside that bucket. @default "clamav/" */
  definitionsPrefix: string;
  /** Where the layers are extracted. @default "/opt" */
  layerRoot: string;
  /** Scratch folder for the database and the engine's socket. @default "/tmp/bucketwarden" */
  workDir: string;
  /** S3 endpoint override, for a local store. @default AWS's regional endpoint */
  s3Endpoint?: string;
  /** Path-style addressing, for a local store. @default false */
  s3ForcePathStyle: boolean;
}

/**
 * The scanner's settings. The built-in actions on infected objects (core/infected-actions:
 * `quarantineBucket`, `deleteInfected`, `deleteWithoutQuarantine`) are off by default.
 */
export interface ScannerConfig extends CommonConfig, InfectedActionsConfig {
  tags: TagSchema;
  /** Objects larger than this are not scanned and get the limits-exceeded result. @default 2000000000 */
  maxObjectBytes: number;
  /** How long one scan may take before it is an error. @default 300000 */
  scanTimeoutMs: number;
  /** How long the engine may take to load the database. @default 180000 */
  engineStartTimeoutMs: number;
  /** How often a warm scanner checks for new definitions; 0 checks on every invocation. @default 60000 */
  definitionsCheckIntervalMs: number;
  /**
   * clamd's `ConcurrentDatabaseReload`: build the new engine beside the old one so scans continue. Off
   * when the function's memory cannot hold two engines (core/sizing's `concurrentReloadFits`); scans
   * then wait during a reload. @default true
   */
  concurrentReload: boolean;
  /**
   * Where verdict events go (core/verdict-event). On AWS they go to EventBridge: this bus (a name or
   * ARN), or the account's default bus when unset. @default the default bus
   */
  eventBusName?: string;
  /** Local mode: a JSON Lines file that gets one line per event instead of EventBridge. */
  eventsFile?: string;
  /** Local mode: an http(s) URL each event is POSTed to as JSON, instead of EventBridge. */
  eventsUrl?: string;
}

export interface UpdaterConfig extends CommonConfig {
  /** Fetch ClamAV's official databases (main, daily, bytecode). @default true */
  officialDatabases: boolean;
  /** `DatabaseMirror` hosts. @default ["database.clamav.net"] */
  databaseMirrors: string[];
  /** `PrivateMirror` URLs; when set, freshclam uses them instead of the public mirrors. @default [] */
  privateMirrors: string[];
  /** `DatabaseCustomURL`s of extra (unsigned) databases. @default [] */
  customDatabaseUrls: string[];
  /** Minimum time between two freshclam runs; at least 3600 with the official databases. @default 3600 */
  minUpdateIntervalSeconds: number;
  /**
   * Where `Definitions Updated` goes (core/definitions-event) when a publish adds signatures: this
   * EventBridge bus, or the default bus when unset. @default the default bus
   */
  eventBusName?: string;
  /** Local mode: a JSON Lines file that gets the event instead of EventBridge. */
  eventsFile?: string;
  /** Local mode: an http(s) URL the event is POSTed to, instead of EventBridge. */
  eventsUrl?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function required(env: Env, name: string): string {
  const v = optional(env, name);
  if (v === undefined) throw new ConfigError(name, "is required");
  return v;
}

function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = optional(env, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = optional(env, name);
  if (v === undefined) return fallback;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new ConfigError(name, `must be true or false, got "${v}"`);
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const v = optional(env, name);
  if (v === undefined) return fallback;
  return v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function urls(env: Env, name: string): string[] {
  const values = list(env, name, []);
  for (const u of values) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch (cause) {
      throw new ConfigError(name, `"${u}" is not a URL`, { cause });
    }
    if (!["http:", "https:"].includes(parsed.protocol))
      throw new ConfigError(name, `"${u}" must be http or https`);
  }
  return values;
}

function singleUrl(env: Env, name: string): string | undefined {
  const values = urls(env, name);
  if (values.length > 1) throw new ConfigError(name, "must name one URL");
  return values[0];
}

function parseCommon(env: Env): CommonConfig {
  const prefix = optional(env, EnvVars.definitionsPrefix) ?? "clamav/";
  if (prefix.startsWith("/")) throw new ConfigError(EnvVars.definitionsPrefix, `must not start with "/"`);
  const endpoint = optional(env, EnvVars.s3Endpoint);
  if (endpoint !== undefined) urls(env, EnvVars.s3Endpoint);
  return {
    definitionsBucket: required(env, EnvVars.definitionsBucket),
    definitionsPrefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`,
    layerRoot: optional(env, EnvVars.layerRoot) ?? "/opt",
    workDir: optional(env, EnvVars.workDir) ?? "/tmp/bucketwarden",
    s3Endpoint: endpoint,
    s3ForcePathStyle: bool(env, EnvVars.s3ForcePathStyle, false),
  };
}

/** Reads the scanner's settings; throws {@link ConfigError} naming the variable on bad input. */
export function parseScannerConfig(env: Env): ScannerConfig {
  return {
    ...parseCommon(env),
    tags: tagSchema(
      {
        key: optional(env, EnvVars.tagKey),
        infectedValue: optional(env, EnvVars.tagInfectedValue),
        cleanValue: optional(env, EnvVars.tagCleanValue),
        resultKey: optional(env, EnvVars.tagResultKey),
        stampKey: optional(env, EnvVars.tagStampKey),
        pendingValue: optional(env, EnvVars.tagPendingValue),
      },
      {
        key: EnvVars.tagKey,
        infectedValue: EnvVars.tagInfectedValue,
        cleanValue: EnvVars.tagCleanValue,
        resultKey: EnvVars.tagResultKey,
        stampKey: EnvVars.tagStampKey,
        pendingValue: EnvVars.tagPendingValue,
      },
    ),
    maxObjectBytes: integer(env, EnvVars.maxObjectBytes, ENGINE_MAX_OBJECT_BYTES, 1, ENGINE_MAX_OBJECT_BYTES),
    scanTimeoutMs: integer(env, EnvVars.scanTimeoutMs, 300_000, 100),
    engineStartTimeoutMs: integer(env, EnvVars.engineStartTimeoutMs, 180_000, 100),
    definitionsCheckIntervalMs: integer(env, EnvVars.definitionsCheckIntervalMs, 60_000, 0),
    concurrentReload: bool(env, EnvVars.concurrentReload, true),
    eventBusName: optional(env, EnvVars.eventBusName),
    eventsFile: optional(env, EnvVars.eventsFile),
    eventsUrl: singleUrl(env, EnvVars.eventsUrl),
    ...parseInfectedActions(env),
  };
}

/**
 * The actions on infected objects from their variables, refused as the component and the stack
 * settings refuse them. Local mode reads them from its runner's environment with this.
 */
export function parseInfectedActions(env: Env): InfectedActionsConfig {
  const quarantineBucket = optional(env, EnvVars.quarantineBucket);
  const deleteInfected = bool(env, EnvVars.deleteInfected, false);
  const deleteWithoutQuarantine = bool(env, EnvVars.deleteWithoutQuarantine, false);
  checkInfectedActions(
    {
      quarantine: quarantineBucket !== undefined,
      delete: deleteInfected,
      acknowledge: deleteWithoutQuarantine,
    },
    {
      quarantine: EnvVars.quarantineBucket,
      delete: EnvVars.deleteInfected,
      acknowledge: EnvVars.deleteWithoutQuarantine,
    },
  );
  return {
    ...(quarantineBucket !== undefined ? { quarantineBucket } : {}),
    deleteInfected,
    deleteWithoutQuarantine,
  };
}

/** Reads the updater's settings; throws {@link ConfigError} naming the variable on bad input. */
export function parseUpdaterConfig(env: Env): UpdaterConfig {
  const officialDatabases = bool(env, EnvVars.officialDatabases, true);
  const customDatabaseUrls = urls(env, EnvVars.customDatabaseUrls);
  const privateMirrors = urls(env, EnvVars.privateMirrors);
  const floor = officialDatabases ? OFFICIAL_MIN_UPDATE_INTERVAL_SECONDS : 0;
  const minUpdateIntervalSeconds = integer(
    env,
    EnvVars.minUpdateIntervalSeconds,
    OFFICIAL_MIN_UPDATE_INTERVAL_SECONDS,
    floor,
  );
  if (!officialDatabases && customDatabaseUrls.length === 0 && privateMirrors.length === 0) {
    throw new ConfigError(
      EnvVars.officialDatabases,
      `is false, so ${EnvVars.customDatabaseUrls} or ${EnvVars.privateMirrors} must name a source`,
    );
  }
  return {
    ...parseCommon(env),
    officialDatabases,
    databaseMirrors: list(env, EnvVars.databaseMirrors, ["database.clamav.net"]),
    privateMirrors,
    customDatabaseUrls,
    minUpdateIntervalSeconds,
    eventBusName: optional(env, EnvVars.eventBusName),
    eventsFile: optional(env, EnvVars.eventsFile),
    eventsUrl: singleUrl(env, EnvVars.eventsUrl),
  };
}

type CommonSettings = Pick<CommonConfig, "definitionsBucket"> & Partial<CommonConfig>;

function commonEnvironment(c: CommonSettings): Record<string, string> {
  const env: Record<string, string> = { [EnvVars.definitionsBucket]: c.definitionsBucket };
  if (c.definitionsPrefix !== undefined) env[EnvVars.definitionsPrefix] = c.definitionsPrefix;
  if (c.layerRoot !== undefined) env[EnvVars.layerRoot] = c.layerRoot;
  if (c.workDir !== undefined) env[EnvVars.workDir] = c.workDir;
  if (c.s3Endpoint !== undefined) env[EnvVars.s3Endpoint] = c.s3Endpoint;
  if (c.s3ForcePathStyle !== undefined) env[EnvVars.s3ForcePathStyle] = String(c.s3ForcePathStyle);
  return env;
}

/** The scanner's environment for the given settings (unset settings take the handler's defaults). */
export function scannerEnvironment(
  c: CommonSettings & Partial<Omit<ScannerConfig, keyof CommonConfig>>,
): Record<string, string> {
  const env = commonEnvironment(c);
  const tags = c.tags ?? DEFAULT_TAG_SCHEMA;
  env[EnvVars.tagKey] = tags.key;
  env[EnvVars.tagInfectedValue] = tags.infectedValue;
  env[EnvVars.tagCleanValue] = tags.cleanValue;
  env[EnvVars.tagResultKey] = tags.resultKey;
  env[EnvVars.tagStampKey] = tags.stampKey;
  env[EnvVars.tagPendingValue] = tags.pendingValue;
  if (c.maxObjectBytes !== undefined) env[EnvVars.maxObjectBytes] = String(c.maxObjectBytes);
  if (c.scanTimeoutMs !== undefined) env[EnvVars.scanTimeoutMs] = String(c.scanTimeoutMs);
  if (c.engineStartTimeoutMs !== undefined)
    env[EnvVars.engineStartTimeoutMs] = String(c.engineStartTimeoutMs);
  if (c.definitionsCheckIntervalMs !== undefined)
    env[EnvVars.definitionsCheckIntervalMs] = String(c.definitionsCheckIntervalMs);
  if (c.concurrentReload !== undefined) env[EnvVars.concurrentReload] = String(c.concurrentReload);
  if (c.eventBusName !== undefined) env[EnvVars.eventBusName] = c.eventBusName;
  if (c.eventsFile !== undefined) env[EnvVars.eventsFile] = c.eventsFile;
  if (c.eventsUrl !== undefined) env[EnvVars.eventsUrl] = c.eventsUrl;
  if (c.quarantineBucket !== undefined) env[EnvVars.quarantineBucket] = c.quarantineBucket;
  if (c.deleteInfected) env[EnvVars.deleteInfected] = "true";
  if (c.deleteWithoutQuarantine) env[EnvVars.deleteWithoutQuarantine] = "true";
  return env;
}

/** The updater's environment for the given settings (unset settings take the handler's defaults). */
export function updaterEnvironment(
  c: CommonSettings & Partial<Omit<UpdaterConfig, keyof CommonConfig>>,
): Record<string, string> {
  const env = commonEnvironment(c);
  if (c.officialDatabases !== undefined) env[EnvVars.officialDatabases] = String(c.officialDatabases);
  if (c.databaseMirrors !== undefined) env[EnvVars.databaseMirrors] = c.databaseMirrors.join(",");
  if (c.privateMirrors !== undefined) env[EnvVars.privateMirrors] = c.privateMirrors.join(",");
  if (c.customDatabaseUrls !== undefined) env[EnvVars.customDatabaseUrls] = c.customDatabaseUrls.join(",");
  if (c.minUpdateIntervalSeconds !== undefined)
    env[EnvVars.minUpdateIntervalSeconds] = String(c.minUpdateIntervalSeconds);
  if (c.eventBusName !== undefined) env[EnvVars.eventBusName] = c.eventBusName;
  if (c.eventsFile !== undefined) env[EnvVars.eventsFile] = c.eventsFile;
  if (c.eventsUrl !== undefined) env[EnvVars.eventsUrl] = c.eventsUrl;
  return env;
}
