/**
 * The handlers wired to the test store and the engine from the layers, with their configuration
 * written and parsed the way the component and local mode do it (core/handler-config).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  parseScannerConfig,
  parseUpdaterConfig,
  type ScannerConfig,
  scannerEnvironment,
  type UpdaterConfig,
  updaterEnvironment,
} from "../../../core/handler-config";
import { createScanner, type Scanner, type ScannerDeps } from "../../../handlers/scanner/scanner";
import type { Log } from "../../../handlers/shared/logger";
import { createUpdater, type UpdateResult, type UpdaterDeps } from "../../../handlers/updater/updater";
import { createDefinitionsBucket, createUploadBucket } from "./buckets";
import { TestMirror } from "./mirror";
import { clamExeHdb, eicarNdb } from "./signatures";
import { clientAs, testStore } from "./store";
import { layerRoot, testTools, useHostClamav } from "./tools";

const scratchDirs: string[] = [];
process.on("exit", () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A short scratch folder (clamd's socket path must stay under ~100 bytes); removed at exit. */
export function scratchDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bw-${purpose}-`));
  scratchDirs.push(dir);
  return dir;
}

/** A log that keeps its lines, for assertions on what was logged. */
export class RecordingLog implements Log {
  readonly lines: Array<{ level: string; message: string } & Record<string, unknown>> = [];
  debug(message: string, a?: Record<string, unknown>) {
    this.lines.push({ level: "debug", message, ...a });
  }
  info(message: string, a?: Record<string, unknown>) {
    this.lines.push({ level: "info", message, ...a });
  }
  warn(message: string, a?: Record<string, unknown>) {
    this.lines.push({ level: "warn", message, ...a });
  }
  error(message: string, a?: Record<string, unknown>) {
    this.lines.push({ level: "error", message, ...a });
  }
  messages(message: string) {
    return this.lines.filter((l) => l.message === message);
  }
}

async function storeSettings() {
  const store = await testStore();
  return { s3Endpoint: store.endpoint, s3ForcePathStyle: true };
}

/** The updater's configuration for a definitions bucket fed only by `customDatabaseUrls`. */
export async function updaterConfig(
  definitionsBucket: string,
  customDatabaseUrls: string[],
  extra: Partial<UpdaterConfig> = {},
): Promise<UpdaterConfig> {
  return parseUpdaterConfig(
    updaterEnvironment({
      definitionsBucket,
      ...(await storeSettings()),
      layerRoot: useHostClamav ? "/" : layerRoot("freshclam"),
      workDir: scratchDir("upd"),
      officialDatabases: false,
      customDatabaseUrls,
      minUpdateIntervalSeconds: 0,
      ...extra,
    }),
  );
}

/** An updater writing as the store's owner. */
export async function testUpdater(config: UpdaterConfig, deps: Partial<UpdaterDeps> = {}) {
  return createUpdater({ config, s3: await clientAs("owner"), tools: testTools("freshclam"), ...deps });
}

/** The scanner's configuration, checking for definitions on every batch unless told otherwise. */
export async function scannerConfig(
  definitionsBucket: string,
  extra: Partial<ScannerConfig> = {},
): Promise<ScannerConfig> {
  return parseScannerConfig(
    scannerEnvironment({
      definitionsBucket,
      ...(await storeSettings()),
      layerRoot: useHostClamav ? "/" : layerRoot("scanner"),
      workDir: scratchDir("scan"),
      definitionsCheckIntervalMs: 0,
      engineStartTimeoutMs: 60_000,
      scanTimeoutMs: 60_000,
      ...extra,
    }),
  );
}

/** A scanner signed as the store's scanner user, running clamd from the scanner layer. */
export async function testScanner(config: ScannerConfig, deps: Partial<ScannerDeps> = {}): Promise<Scanner> {
  return createScanner({ config, s3: await clientAs("scanner"), tools: testTools("scanner"), ...deps });
}

/** Definitions published once per process by the real updater from a loopback mirror. */
export interface PublishedDefinitions {
  bucket: string;
  result: UpdateResult;
}

let published: Promise<PublishedDefinitions> | undefined;

/**
 * A definitions bucket holding the tests' signatures (clam.exe's `.hdb`, EICAR's `.ndb`), published
 * by the updater from a loopback mirror exactly as it publishes the official ones.
 */
export function testDefinitions(): Promise<PublishedDefinitions> {
  published ??= (async () => {
    const mirror = await new TestMirror().start();
    mirror.set("bucketwarden-test.hdb", clamExeHdb());
    mirror.set("bucketwarden-test.ndb", eicarNdb());
    try {
      const bucket = await createDefinitionsBucket();
      const config = await updaterConfig(bucket, [
        mirror.url("bucketwarden-test.hdb"),
        mirror.url("bucketwarden-test.ndb"),
      ]);
      const result = await (await testUpdater(config)).run();
      return { bucket, result };
    } finally {
      await mirror.stop();
    }
  })();
  return published;
}

/** What most scanner tests start from: a scanner with {@link testDefinitions} over a new upload bucket. */
export interface ScannedBucket {
  definitions: PublishedDefinitions;
  bucket: string;
  scanner: Scanner;
}

/** A new upload bucket and a scanner over it, reading the definitions {@link testDefinitions} published. */
export async function scannedUploadBucket(
  extra: Partial<ScannerConfig> = {},
  deps: Partial<ScannerDeps> = {},
): Promise<ScannedBucket> {
  const definitions = await testDefinitions();
  const bucket = await createUploadBucket();
  const scanner = await testScanner(await scannerConfig(definitions.bucket, extra), deps);
  return { definitions, bucket, scanner };
}
