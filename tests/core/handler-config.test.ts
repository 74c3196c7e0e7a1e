import assert from "node:assert/strict";
import { ConfigError } from "../../core/errors";
import {
  ENGINE_MAX_OBJECT_BYTES,
  EnvVars,
  engineMaxScanTimeMs,
  OFFICIAL_MIN_UPDATE_INTERVAL_SECONDS,
  parseScannerConfig,
  parseUpdaterConfig,
  scannerEnvironment,
  updaterEnvironment,
} from "../../core/handler-config";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";

const BASE = { [EnvVars.definitionsBucket]: "defs" };

describe("core/handler-config: parseScannerConfig", () => {
  it("fills every default from the definitions bucket alone", () => {
    assert.deepEqual(parseScannerConfig(BASE), {
      definitionsBucket: "defs",
      definitionsPrefix: "clamav/",
      layerRoot: "/opt",
      workDir: "/tmp/bucketwarden",
      s3Endpoint: undefined,
      s3ForcePathStyle: false,
      tags: DEFAULT_TAG_SCHEMA,
      maxObjectBytes: ENGINE_MAX_OBJECT_BYTES,
      scanTimeoutMs: 300_000,
      engineStartTimeoutMs: 180_000,
      definitionsCheckIntervalMs: 60_000,
      concurrentReload: true,
      eventBusName: undefined,
      eventsFile: undefined,
      eventsUrl: undefined,
      deleteInfected: false,
      deleteWithoutQuarantine: false,
    });
  });

  const values: Array<
    [string, Record<string, string>, (c: ReturnType<typeof parseScannerConfig>) => unknown, unknown]
  > = [
    [
      "adds the missing slash to the prefix",
      { [EnvVars.definitionsPrefix]: "db" },
      (c) => c.definitionsPrefix,
      "db/",
    ],
    [
      "treats a blank prefix as unset",
      { [EnvVars.definitionsPrefix]: " " },
      (c) => c.definitionsPrefix,
      "clamav/",
    ],
    [
      "reads path-style addressing as a boolean",
      { [EnvVars.s3ForcePathStyle]: "1" },
      (c) => c.s3ForcePathStyle,
      true,
    ],
    [
      "reads the endpoint of a local store",
      { [EnvVars.s3Endpoint]: "http://127.0.0.1:7480" },
      (c) => c.s3Endpoint,
      "http://127.0.0.1:7480",
    ],
    ["reads the tag schema", { [EnvVars.tagKey]: "Verdict" }, (c) => c.tags.key, "Verdict"],
    [
      "reads a zero check interval (check on every invocation)",
      { [EnvVars.definitionsCheckIntervalMs]: "0" },
      (c) => c.definitionsCheckIntervalMs,
      0,
    ],
    ["trims values", { [EnvVars.maxObjectBytes]: " 1024 " }, (c) => c.maxObjectBytes, 1024],
    [
      "reads the event bus verdict events go to",
      { [EnvVars.eventBusName]: "sec" },
      (c) => c.eventBusName,
      "sec",
    ],
    [
      "reads local mode's events endpoint",
      { [EnvVars.eventsUrl]: "http://127.0.0.1:9000/events" },
      (c) => c.eventsUrl,
      "http://127.0.0.1:9000/events",
    ],
  ];
  for (const [title, env, pick, expected] of values)
    it(title, () => assert.deepEqual(pick(parseScannerConfig({ ...BASE, ...env })), expected));

  const bad: Array<[string, Record<string, string | undefined>, string]> = [
    [
      "requires the definitions bucket",
      { [EnvVars.definitionsBucket]: undefined },
      EnvVars.definitionsBucket,
    ],
    [
      "rejects a prefix starting with a slash",
      { [EnvVars.definitionsPrefix]: "/db" },
      EnvVars.definitionsPrefix,
    ],
    ["rejects an endpoint that is not a URL", { [EnvVars.s3Endpoint]: "localhost:7480" }, EnvVars.s3Endpoint],
    [
      "rejects a boolean that is not true or false",
      { [EnvVars.s3ForcePathStyle]: "yes" },
      EnvVars.s3ForcePathStyle,
    ],
    [
      "rejects objects larger than the engine can scan",
      { [EnvVars.maxObjectBytes]: String(ENGINE_MAX_OBJECT_BYTES + 1) },
      EnvVars.maxObjectBytes,
    ],
    ["rejects a number that is not whole", { [EnvVars.scanTimeoutMs]: "1.5" }, EnvVars.scanTimeoutMs],
    ["rejects a bad tag key, naming its variable", { [EnvVars.tagKey]: "aws:x" }, EnvVars.tagKey],
    ["rejects an events endpoint that is not http", { [EnvVars.eventsUrl]: "file:///x" }, EnvVars.eventsUrl],
    [
      "rejects more than one events endpoint",
      { [EnvVars.eventsUrl]: "http://a/,http://b/" },
      EnvVars.eventsUrl,
    ],
  ];
  for (const [title, env, variable] of bad) {
    it(title, () =>
      assert.throws(
        () => parseScannerConfig({ ...BASE, ...env }),
        (e: unknown) => e instanceof ConfigError && e.setting === variable,
      ),
    );
  }
});

describe("core/handler-config: parseUpdaterConfig", () => {
  it("fetches the official databases from the public mirror by default", () => {
    const c = parseUpdaterConfig(BASE);
    assert.equal(c.officialDatabases, true);
    assert.deepEqual(c.databaseMirrors, ["database.clamav.net"]);
    assert.equal(c.minUpdateIntervalSeconds, OFFICIAL_MIN_UPDATE_INTERVAL_SECONDS);
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    [
      "refuses to check the official mirrors more often than hourly",
      { [EnvVars.minUpdateIntervalSeconds]: "600" },
      EnvVars.minUpdateIntervalSeconds,
    ],
    [
      "needs a source when the official databases are off",
      { [EnvVars.officialDatabases]: "false" },
      EnvVars.officialDatabases,
    ],
    [
      "rejects a custom database URL that is not http(s)",
      { [EnvVars.customDatabaseUrls]: "ftp://x/db.ndb" },
      EnvVars.customDatabaseUrls,
    ],
    [
      "rejects a private mirror that is not a URL",
      { [EnvVars.privateMirrors]: "mirror" },
      EnvVars.privateMirrors,
    ],
  ];
  for (const [title, env, variable] of bad) {
    it(title, () =>
      assert.throws(
        () => parseUpdaterConfig({ ...BASE, ...env }),
        (e: unknown) => e instanceof ConfigError && e.setting === variable,
      ),
    );
  }

  it("allows frequent checks of custom sources only", () => {
    const c = parseUpdaterConfig({
      ...BASE,
      [EnvVars.officialDatabases]: "false",
      [EnvVars.customDatabaseUrls]: "https://sigs.example/a.ndb, https://sigs.example/b.hdb",
      [EnvVars.minUpdateIntervalSeconds]: "60",
    });
    assert.deepEqual(c.customDatabaseUrls, ["https://sigs.example/a.ndb", "https://sigs.example/b.hdb"]);
    assert.equal(c.minUpdateIntervalSeconds, 60);
  });
});

describe("core/handler-config: environments round-trip through the parsers", () => {
  const scanner: Array<[string, Parameters<typeof scannerEnvironment>[0]]> = [
    ["the scanner's defaults", { definitionsBucket: "defs" }],
    [
      "a custom tag schema and limits",
      {
        definitionsBucket: "defs",
        definitionsPrefix: "sigs/",
        tags: { ...DEFAULT_TAG_SCHEMA, key: "Verdict", cleanValue: "ok", infectedValue: "bad" },
        maxObjectBytes: 5_000_000,
        scanTimeoutMs: 1000,
        engineStartTimeoutMs: 2000,
        definitionsCheckIntervalMs: 0,
        concurrentReload: false,
      },
    ],
    [
      "a local store",
      {
        definitionsBucket: "defs",
        s3Endpoint: "http://127.0.0.1:7480",
        s3ForcePathStyle: true,
        layerRoot: "/layers",
        workDir: "/w",
      },
    ],
    [
      "where verdict events go",
      {
        definitionsBucket: "defs",
        eventBusName: "arn:aws:events:eu-west-1:123456789012:event-bus/sec",
        eventsFile: "/w/events.jsonl",
        eventsUrl: "http://127.0.0.1:9000/",
      },
    ],
    [
      "quarantine and delete of infected objects",
      { definitionsBucket: "defs", quarantineBucket: "quarantine", deleteInfected: true },
    ],
    [
      "a delete whose loss of evidence is acknowledged",
      { definitionsBucket: "defs", deleteInfected: true, deleteWithoutQuarantine: true },
    ],
  ];
  for (const [title, settings] of scanner) {
    it(`hands the scanner ${title} exactly as written`, () => {
      const parsed = parseScannerConfig(scannerEnvironment(settings));
      for (const [k, v] of Object.entries(settings)) assert.deepEqual(parsed[k as keyof typeof parsed], v, k);
    });
  }

  const updater: Array<[string, Parameters<typeof updaterEnvironment>[0]]> = [
    ["the updater's defaults", { definitionsBucket: "defs" }],
    [
      "mirrors and custom sources",
      {
        definitionsBucket: "defs",
        databaseMirrors: ["m1.example", "m2.example"],
        privateMirrors: ["https://mirror.example"],
        customDatabaseUrls: ["https://sigs.example/a.ndb"],
        minUpdateIntervalSeconds: 7200,
      },
    ],
  ];
  for (const [title, settings] of updater) {
    it(`hands the updater ${title} exactly as written`, () => {
      const parsed = parseUpdaterConfig(updaterEnvironment(settings));
      for (const [k, v] of Object.entries(settings)) assert.deepEqual(parsed[k as keyof typeof parsed], v, k);
    });
  }

  it("names only variables listed in EnvVars", () => {
    const known = new Set<string>(Object.values(EnvVars));
    const env = {
      ...scannerEnvironment({ definitionsBucket: "d", s3Endpoint: "http://x", maxObjectBytes: 1 }),
      ...updaterEnvironment({ definitionsBucket: "d", officialDatabases: true }),
    };
    assert.deepEqual(
      Object.keys(env).filter((k) => !known.has(k)),
      [],
    );
  });
});

describe("core/handler-config: engineMaxScanTimeMs", () => {
  const table: Array<[string, number, number]> = [
    ["leaves the default 300 s timeout 30 s for streaming and tagging", 300_000, 270_000],
    ["leaves at most 30 s however long the timeout", 900_000, 870_000],
    ["gives the engine half of a short timeout", 40_000, 20_000],
    ["gives the engine half of a very short timeout", 6_000, 3_000],
    ["never gives the engine nothing", 1, 1],
  ];
  for (const [title, timeout, expected] of table)
    it(title, () => assert.equal(engineMaxScanTimeMs(timeout), expected));

  it("always ends the engine's scan before the scanner's timeout", () => {
    for (const timeout of [100, 1_000, 60_000, 300_000, 900_000])
      assert.ok(engineMaxScanTimeMs(timeout) < timeout, String(timeout));
  });
});
