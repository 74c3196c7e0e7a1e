/**
 * The stack settings are a thin mapping onto MalwareScanning's arguments (core/settings.ts,
 * SETTING_ARGUMENTS): every setting sets the arguments the table names and no other, an unset
 * setting leaves what the component does by default, and every case is refused, or accepted, on
 * both paths alike.
 */
import assert from "node:assert/strict";
import type * as Components from "../../components";
import { ComponentTypes } from "../../components/types";
import { ConfigError } from "../../core/errors";
import {
  parseStackSettings,
  SETTING_ARGUMENTS,
  SETTINGS,
  type SettingKey,
  stackArguments,
} from "../../core/settings";
import * as size from "../../core/sizing";
import { loadProgram } from "../program/run-program";
import { installPulumiMocks, type RecordedResource } from "../support/pulumi-mocks";

const BUCKET = "photos";
type Values = Partial<Record<SettingKey, unknown>>;

/** A setting's value as Pulumi hands it to the program: a string, structured values as JSON. */
function raw(values: Values): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ uploadBuckets: [BUCKET], ...values }).map(([k, v]) => [
      `bucketwarden:${k}`,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
}

/** Sets `value` at a dotted path of `target`, making objects on the way (`true` becomes `{}`). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace("<bucket>", BUCKET).split(".");
  let at = target;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    at[part] = typeof next === "object" && next !== null ? { ...next } : {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]] = value;
}

/** The component's arguments a user would write for `values`: one bucket, and the mapped arguments. */
function componentArgs(values: Values): Components.MalwareScanningArgs {
  const args: Record<string, unknown> = {
    uploadBuckets: { [BUCKET]: { newBucket: true } },
  };
  for (const [key, value] of Object.entries(values))
    for (const path of SETTING_ARGUMENTS[key as SettingKey]) setPath(args, path, value);
  return args as unknown as Components.MalwareScanningArgs;
}

/** The leaf paths of a JSON value. */
function leaves(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value))
      for (const e of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(...e);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

let unique = 0;

describe("stack settings map onto MalwareScanning's arguments", () => {
  before(() => {
    installPulumiMocks();
  });

  it("names, for every setting, the arguments it sets", () => {
    assert.deepEqual(Object.keys(SETTING_ARGUMENTS).sort(), Object.keys(SETTINGS).sort());
    const unmapped = Object.entries(SETTING_ARGUMENTS).filter(([, args]) => args.length === 0);
    assert.deepEqual(
      unmapped.map(([k]) => k),
      [],
    );
  });

  // A value other than the default for each setting; the bucket-list settings add whole buckets and
  // are covered by the program tests (tests/program/index.test.ts).
  const samples: Values = {
    bucketPolicyStatements: {
      photos: [
        { Sid: "Mine", Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" },
      ],
    },
    bucketKmsKeyArns: { photos: "arn:aws:kms:us-east-1:123456789012:key/abcd-1234" },
    forceDestroyUploadBuckets: true,
    noncurrentVersionDays: 9,
    abortIncompleteUploadDays: 2,
    architecture: "x86_64",
    failClosed: false,
    breakGlassRoleArns: ["arn:aws:iam::123456789012:role/release"],
    replicationRoleArns: ["arn:aws:iam::123456789012:role/replicate"],
    allowServerSideCopies: true,
    trigger: "direct",
    tagKey: "Verdict",
    tagInfectedValue: "yes",
    tagCleanValue: "no",
    tagResultKey: "Result",
    tagStampKey: "Stamp",
    tagPendingValue: "unscanned",
    maxObjectBytes: 100_000_000,
    scannerMemoryMb: 4096,
    scannerTimeoutSeconds: 600,
    scannerEphemeralStorageMb: 8000,
    scannerMaxConcurrency: 7,
    queueBatchSize: 3,
    oldestMessageAlarmSeconds: 600,
    alarmTopicArns: ["arn:aws:sns:us-east-1:123456789012:alarms"],
    updateSchedule: "rate(6 hours)",
    definitionsPrefix: "sigs/",
    officialDatabases: false,
    databaseMirrors: ["mirror.example.com"],
    privateMirrors: ["https://mirror.example.com"],
    customDatabaseUrls: ["https://example.com/extra.ndb"],
    updaterMemoryMb: 3000,
    updaterTimeoutSeconds: 700,
    logRetentionDays: 90,
    rescanWindow: "48h",
    quarantineInfected: true,
    deleteInfected: true,
    deleteInfectedWithoutQuarantine: true,
  };
  const bucketSets: SettingKey[] = ["uploadBuckets", "existingUploadBuckets", "adoptExistingBuckets"];
  // Acts on adopted buckets only: checked below with one.
  const unmapped: SettingKey[] = ["preExistingObjects"];

  it("has a sample value for every setting but the bucket lists", () => {
    const missing = Object.keys(SETTINGS).filter(
      (k) => !(k in samples) && !bucketSets.includes(k as SettingKey) && !unmapped.includes(k as SettingKey),
    );
    assert.deepEqual(missing, []);
  });

  const base = leaves(stackArguments(parseStackSettings(raw({ privateMirrors: [] }))));
  for (const [key, value] of Object.entries(samples) as Array<[SettingKey, unknown]>) {
    it(`${key} sets ${SETTING_ARGUMENTS[key].join(" and ")}, and nothing else`, () => {
      // Official databases off needs another source; the mirror is then part of the baseline.
      // Deleting infected objects needs quarantine; the quarantine is then part of the baseline.
      const extra: Values =
        key === "officialDatabases"
          ? { privateMirrors: ["https://m.example.com"] }
          : key === "deleteInfected"
            ? { quarantineInfected: true }
            : {};
      const before =
        Object.keys(extra).length > 0 ? leaves(stackArguments(parseStackSettings(raw(extra)))) : base;
      const after = leaves(stackArguments(parseStackSettings(raw({ ...extra, [key]: value }))));
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
        (p) => before.get(p) !== after.get(p),
      );
      const mapped = SETTING_ARGUMENTS[key].map((p) => p.replace("<bucket>", BUCKET));
      const within = (p: string) => mapped.some((m) => p === m || p.startsWith(`${m}.`));
      // The direct trigger has no queue: the queue-only arguments are left out with it.
      const queueOnly = ["scanner.batchSize", "scanner.oldestMessageAlarmSeconds"];
      // The derived /tmp size follows the object size and the batch (0 means derived).
      const derived = ["maxObjectBytes", "queueBatchSize"].includes(key)
        ? ["scanner.ephemeralStorageMb"]
        : [];
      const unexpected = changed.filter(
        (p) => !within(p) && !(key === "trigger" && queueOnly.includes(p)) && !derived.includes(p),
      );
      assert.deepEqual(unexpected, [], `${key} moved arguments it does not map to`);
      for (const m of mapped)
        assert.ok(
          changed.some((p) => p === m || p.startsWith(`${m}.`)),
          `${key} did not move ${m}`,
        );
    });
  }

  it("preExistingObjects sets uploadBuckets.<bucket>.preExistingObjects of adopted buckets, and nothing else", () => {
    const adopted = { existingUploadBuckets: ["acme-avatars"], adoptExistingBuckets: true };
    const before = leaves(stackArguments(parseStackSettings(raw(adopted))));
    const after = leaves(
      stackArguments(parseStackSettings(raw({ ...adopted, preExistingObjects: "strict" }))),
    );
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (p) => before.get(p) !== after.get(p),
    );
    assert.deepEqual(changed, ["uploadBuckets.acme-avatars.preExistingObjects"]);
    assert.equal(after.get("uploadBuckets.acme-avatars.preExistingObjects"), JSON.stringify("strict"));
  });

  it("builds the same resources from the default settings as from the component's defaults", async () => {
    const minimal = raw({});
    const strip = (rs: RecordedResource[]) =>
      rs
        .map((r) => JSON.stringify({ type: r.type, name: r.name, parent: r.parent, inputs: r.inputs }))
        .sort();
    // Every setting unset but the one bucket: the program then hands the component each default
    // explicitly, the component uses its own; the two graphs match only if the defaults do.
    const projectDefaults = Object.fromEntries(
      Object.entries(SETTINGS).map(([k, d]) => [
        `bucketwarden:${k}`,
        typeof d.default === "string" ? d.default : JSON.stringify(d.default),
      ]),
    );
    const program = loadProgram({ ...projectDefaults, ...minimal });
    await program.rec.settle();
    const fromSettings = strip(program.rec.resources);

    const rec = installPulumiMocks({ project: "bucketwarden", stack: "dev" });
    const { MalwareScanning }: typeof Components = require("../../components");
    new MalwareScanning("bucketwarden-dev", {
      uploadBuckets: { [BUCKET]: { newBucket: true } },
      namePrefix: "bucketwarden-dev",
    });
    await rec.settle();
    const fromComponent = strip(rec.resources);
    assert.ok(fromComponent.length > 30, `only ${fromComponent.length} resources`);
    assert.deepEqual(fromSettings, fromComponent);
    assert.equal(program.rec.ofType(ComponentTypes.MalwareScanning).length, 1);
  });
});

describe("stack settings and MalwareScanning refuse and accept the same values", () => {
  before(() => {
    installPulumiMocks();
  });

  const official = size.minimumScannerMemoryMb(true);
  /** [what, the settings, refused?] */
  const cases: Array<[string, Values, boolean]> = [
    ["scanner memory below the official database's floor", { scannerMemoryMb: official - 1 }, true],
    ["scanner memory at the official database's floor", { scannerMemoryMb: official }, false],
    ["scanner memory above Lambda's maximum", { scannerMemoryMb: 10_241 }, true],
    ["scanner memory at Lambda's maximum", { scannerMemoryMb: 10_240 }, false],
    ["a scanner timeout shorter than a cold start", { scannerTimeoutSeconds: 30 }, true],
    ["a scanner timeout above Lambda's 900 s", { scannerTimeoutSeconds: 901 }, true],
    ["a scanner timeout of 900 s", { scannerTimeoutSeconds: 900 }, false],
    ["/tmp too small for the largest object", { scannerEphemeralStorageMb: 600 }, true],
    ["/tmp above Lambda's maximum", { scannerEphemeralStorageMb: 10_241 }, true],
    ["/tmp at Lambda's maximum", { scannerEphemeralStorageMb: 10_240 }, false],
    ["a concurrency of one", { scannerMaxConcurrency: 1 }, true],
    ["a concurrency of two", { scannerMaxConcurrency: 2 }, false],
    ["a concurrency above 1000", { scannerMaxConcurrency: 1001 }, true],
    ["a batch of zero", { queueBatchSize: 0 }, true],
    ["a batch of ten", { queueBatchSize: 10 }, false],
    ["a batch above SQS's ten", { queueBatchSize: 11 }, true],
    ["objects larger than the engine scans", { maxObjectBytes: 5_000_000_000 }, true],
    ["one-byte objects", { maxObjectBytes: 1 }, false],
    ["a queue-age alarm under a minute", { oldestMessageAlarmSeconds: 10 }, true],
    ["a queue-age alarm of a minute", { oldestMessageAlarmSeconds: 60 }, false],
    ["updater memory too small for the official database", { updaterMemoryMb: 256 }, true],
    ["an updater timeout under two minutes", { updaterTimeoutSeconds: 60 }, true],
    ["an updater timeout of 900 s", { updaterTimeoutSeconds: 900 }, false],
    ["a log retention CloudWatch does not offer", { logRetentionDays: 10 }, true],
    ["a log retention of a day", { logRetentionDays: 1 }, false],
    ["an architecture Lambda does not run", { architecture: "sparc" }, true],
    ["the x86_64 architecture", { architecture: "x86_64" }, false],
    ["an unknown trigger", { trigger: "poll" }, true],
    ["the direct trigger", { trigger: "direct" }, false],
    ["a verdict tag key longer than S3 allows", { tagKey: "k".repeat(129) }, true],
    ["a clean value equal to the infected value", { tagCleanValue: "true" }, true],
    ["the same verdict and result keys", { tagKey: "ScanResult" }, true],
    ["a verdict tag key of one's own", { tagKey: "Verdict" }, false],
    [
      "a break-glass user instead of a role",
      { breakGlassRoleArns: ["arn:aws:iam::123456789012:user/bob"] },
      true,
    ],
    ["a break-glass role", { breakGlassRoleArns: ["arn:aws:iam::123456789012:role/release"] }, false],
    ["a wildcard replication role", { replicationRoleArns: ["*"] }, true],
    ["an alarm target that is not a topic", { alarmTopicArns: ["alarms"] }, true],
    ["an alarm topic", { alarmTopicArns: ["arn:aws:sns:us-east-1:123456789012:alarms"] }, false],
    ["updates more often than hourly", { updateSchedule: "rate(5 minutes)" }, true],
    ["hourly updates", { updateSchedule: "rate(1 hour)" }, false],
    ["a definitions prefix starting with a slash", { definitionsPrefix: "/clamav/" }, true],
    ["official databases off with no other source", { officialDatabases: false }, true],
    [
      "official databases off with a private mirror",
      { officialDatabases: false, privateMirrors: ["https://mirror.example.com"] },
      false,
    ],
    ["a custom database URL that is not a URL", { customDatabaseUrls: ["not a url"] }, true],
    ["a custom database URL", { customDatabaseUrls: ["https://example.com/extra.ndb"] }, false],
    ["a KMS alias instead of a key", { bucketKmsKeyArns: { photos: "alias/aws/s3" } }, true],
    [
      "a KMS key",
      { bucketKmsKeyArns: { photos: "arn:aws:kms:us-east-1:123456789012:key/abcd-1234" } },
      false,
    ],
    ["abandoned uploads kept forever", { abortIncompleteUploadDays: 0 }, false],
    ["old versions kept for more than a hundred years", { noncurrentVersionDays: 36_501 }, true],
    ["old versions kept for a hundred years", { noncurrentVersionDays: 36_500 }, false],
    ["a negative number of days", { abortIncompleteUploadDays: -1 }, true],
    ["a batch with the direct trigger", { trigger: "direct", queueBatchSize: 5 }, true],
    [
      "a queue-age alarm with the direct trigger",
      { trigger: "direct", oldestMessageAlarmSeconds: 600 },
      true,
    ],
  ];

  for (const [what, values, refused] of cases) {
    it(`${refused ? "refuses" : "accepts"} ${what} on both paths`, () => {
      const keys = Object.keys(values) as SettingKey[];
      const settingsPath = () => parseStackSettings(raw(values));
      // The KMS keys setting is a JSON object by bucket; its argument takes the bucket's list.
      const argValues = Object.fromEntries(
        Object.entries(values).map(([k, v]) =>
          k === "bucketKmsKeyArns" ? [k, [(v as Record<string, string>)[BUCKET]]] : [k, v],
        ),
      );
      const componentPath = () =>
        new (require("../../components") as typeof Components).MalwareScanning(
          `both-${unique++}`,
          componentArgs(argValues),
        );
      if (!refused) {
        assert.doesNotThrow(settingsPath);
        assert.doesNotThrow(componentPath);
        return;
      }
      assert.throws(settingsPath, (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.ok(
          keys.some((k) => e.setting === `bucketwarden:${k}`),
          `settings blamed ${e.setting}`,
        );
        return true;
      });
      assert.throws(componentPath, (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        const mapped = keys.flatMap((k) => SETTING_ARGUMENTS[k]).map((p) => p.replace("<bucket>", BUCKET));
        // Components name their own arguments (`memoryMb` in UploadScanner, `definitions.prefix` here).
        assert.ok(
          mapped.some((p) => p === e.setting || p.endsWith(`.${e.setting}`)),
          `the component blamed ${e.setting}, not one of ${mapped.join(", ")}`,
        );
        return true;
      });
    });
  }
});
