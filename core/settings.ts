/**
 * The stack settings (`bucketwarden:*` in `Pulumi.<stack>.yaml`): what each is, its default, and
 * the checks that turn a bad value into an error naming the setting. Pure: `index.ts` hands over
 * `pulumi.runtime.allConfig()`, the tests hand over a record. `Pulumi.yaml` declares the same
 * settings with the same defaults (a test holds the two together).
 */
import { accessRuleStatements, mergePolicy, type PolicyStatement, scannerRole } from "./access-rule";
import { adoptionRefusal, settingsAdoptionTerms } from "./adoption";
import { type BucketwardenError, ConfigError } from "./errors";
import { ENGINE_MAX_OBJECT_BYTES, EnvVars, parseUpdaterConfig, updaterEnvironment } from "./handler-config";
import { callerStatements } from "./iam";
import { checkInfectedActions } from "./infected-actions";
import { type LambdaArchitecture, LambdaArchitectures } from "./layer-layout";
import { checkLogRetention, LOG_RETENTION_DAYS, ScannerLimits, UpdaterLimits } from "./limits";
import { bucketNameProblem, existingBucketKey, uploadNameProblem } from "./naming";
import {
  DEFAULT_PRE_EXISTING_OBJECTS,
  DEFAULT_RESCAN_WINDOW,
  type PreExistingObjectMode,
  PreExistingObjectModes,
  parseRescanWindow,
} from "./rescan-window";
import { DEFAULT_UPDATE_SCHEDULE, scheduleProblem } from "./schedule";
import { closestKey, type RawConfig, SettingReader } from "./setting-values";
import * as size from "./sizing";
import { DEFAULT_TAG_SCHEMA, type TagSchema, tagSchema } from "./tags";

/** How object-created events reach the scanner. */
export const TriggerKinds = ["queue", "direct"] as const;
export type TriggerKind = (typeof TriggerKinds)[number];

/** The most days a created upload bucket's lifecycle rules may name (a hundred years). */
export const LIFECYCLE_DAYS_MAX = 36_500;

/** The config namespace: the project's name. */
export const SETTINGS_NAMESPACE = "bucketwarden";

/** `scannerEphemeralStorageMb`'s default: computed from the object size and the scans that run at once. */
export const DERIVED_STORAGE = 0;

const HANDLER_UPDATER_DEFAULTS = parseUpdaterConfig({ [EnvVars.definitionsBucket]: "-" });

/**
 * Every setting with its Pulumi config type and default. Every one has a default: Pulumi treats a
 * declared key without one as required and stops before the program runs. Two defaults mean "none"
 * or "derived": an empty `bucketPolicyStatements` (no statements of the caller's) and a
 * `scannerEphemeralStorageMb` of 0 (computed from the other settings).
 */
export const SETTINGS = {
  uploadBuckets: { type: "array", default: [] },
  existingUploadBuckets: { type: "array", default: [] },
  adoptExistingBuckets: { type: "boolean", default: false },
  preExistingObjects: { type: "string", default: DEFAULT_PRE_EXISTING_OBJECTS },
  rescanWindow: { type: "string", default: DEFAULT_RESCAN_WINDOW },
  bucketPolicyStatements: { type: "string", default: "" },
  bucketKmsKeyArns: { type: "string", default: "" },
  forceDestroyUploadBuckets: { type: "boolean", default: false },
  noncurrentVersionDays: { type: "integer", default: 30 },
  abortIncompleteUploadDays: { type: "integer", default: 7 },
  architecture: { type: "string", default: "arm64" },
  failClosed: { type: "boolean", default: true },
  breakGlassRoleArns: { type: "array", default: [] },
  replicationRoleArns: { type: "array", default: [] },
  allowServerSideCopies: { type: "boolean", default: false },
  trigger: { type: "string", default: "queue" },
  tagKey: { type: "string", default: DEFAULT_TAG_SCHEMA.key },
  tagInfectedValue: { type: "string", default: DEFAULT_TAG_SCHEMA.infectedValue },
  tagCleanValue: { type: "string", default: DEFAULT_TAG_SCHEMA.cleanValue },
  tagResultKey: { type: "string", default: DEFAULT_TAG_SCHEMA.resultKey },
  tagStampKey: { type: "string", default: DEFAULT_TAG_SCHEMA.stampKey },
  tagPendingValue: { type: "string", default: DEFAULT_TAG_SCHEMA.pendingValue },
  maxObjectBytes: { type: "integer", default: ENGINE_MAX_OBJECT_BYTES },
  scannerMemoryMb: { type: "integer", default: size.DEFAULT_SCANNER_MEMORY_MB },
  scannerTimeoutSeconds: { type: "integer", default: size.DEFAULT_SCANNER_TIMEOUT_SECONDS },
  scannerEphemeralStorageMb: { type: "integer", default: DERIVED_STORAGE },
  scannerMaxConcurrency: { type: "integer", default: 5 },
  queueBatchSize: { type: "integer", default: 1 },
  oldestMessageAlarmSeconds: { type: "integer", default: 1800 },
  alarmTopicArns: { type: "array", default: [] },
  quarantineInfected: { type: "boolean", default: false },
  deleteInfected: { type: "boolean", default: false },
  deleteInfectedWithoutQuarantine: { type: "boolean", default: false },
  updateSchedule: { type: "string", default: DEFAULT_UPDATE_SCHEDULE },
  definitionsPrefix: { type: "string", default: HANDLER_UPDATER_DEFAULTS.definitionsPrefix },
  officialDatabases: { type: "boolean", default: HANDLER_UPDATER_DEFAULTS.officialDatabases },
  databaseMirrors: { type: "array", default: HANDLER_UPDATER_DEFAULTS.databaseMirrors },
  privateMirrors: { type: "array", default: HANDLER_UPDATER_DEFAULTS.privateMirrors },
  customDatabaseUrls: { type: "array", default: HANDLER_UPDATER_DEFAULTS.customDatabaseUrls },
  updaterMemoryMb: { type: "integer", default: size.DEFAULT_UPDATER_MEMORY_MB },
  updaterTimeoutSeconds: { type: "integer", default: size.DEFAULT_UPDATER_TIMEOUT_SECONDS },
  logRetentionDays: { type: "integer", default: 30 },
} as const satisfies Record<string, { type: "string" | "integer" | "boolean" | "array"; default: unknown }>;

export type SettingKey = keyof typeof SETTINGS;

/** One upload bucket of the stack. */
export interface UploadBucketSettings {
  /** Names its resources: the entry of `uploadBuckets`, or the existing bucket's name with dots as dashes. */
  key: string;
  /** Set when the bucket exists already (and `adoptExistingBuckets` accepts adopting it); otherwise the stack creates it. */
  existingBucketName?: string;
  /** The bucket policy statements of the user's own, kept beside the access rule. */
  policyStatements: PolicyStatement[];
  /** Customer-managed KMS keys the bucket's objects are encrypted with. */
  kmsKeyArns: string[];
}

export interface StackSettings {
  uploadBuckets: UploadBucketSettings[];
  forceDestroyUploadBuckets: boolean;
  /** How objects already in an adopted bucket are treated until the backlog scan gives them a verdict. */
  preExistingObjects: PreExistingObjectMode;
  /** Seconds back a definitions update that adds signatures rescans; `undefined`: rescans off. */
  rescanWindowSeconds: number | undefined;
  /** Lifecycle of the buckets the stack creates, in days; 0 keeps forever. */
  uploadLifecycle: { noncurrentVersionDays: number; abortIncompleteUploadDays: number };
  architecture: LambdaArchitecture;
  failClosed: boolean;
  /** Roles exempt from the read and verdict-tag denies, to release false positives. */
  breakGlassRoleArns: string[];
  /** Roles S3 replication runs as. */
  replicationRoleArns: string[];
  /** Let users copy objects server-side within each upload bucket. */
  allowServerSideCopies: boolean;
  trigger: TriggerKind;
  tags: TagSchema;
  maxObjectBytes: number;
  scanner: { memoryMb: number; timeoutSeconds: number; ephemeralStorageMb: number; maxConcurrency: number };
  queueBatchSize: number;
  oldestMessageAlarmSeconds: number;
  alarmTopicArns: string[];
  /** The built-in actions on infected objects (core/infected-actions), as the component's `infectedObjects`. */
  infectedObjects: { quarantine: boolean; delete: boolean; acknowledgeDeleteWithoutQuarantine: boolean };
  updateSchedule: string;
  definitionsPrefix: string;
  updater: {
    officialDatabases: boolean;
    databaseMirrors: string[];
    privateMirrors: string[];
    customDatabaseUrls: string[];
    memoryMb: number;
    timeoutSeconds: number;
  };
  logRetentionDays: number;
}

export { LOG_RETENTION_DAYS };

/** Reads and checks every `bucketwarden:*` setting; throws {@link ConfigError} naming the first bad one. */
export function parseStackSettings(raw: RawConfig, namespace: string = SETTINGS_NAMESPACE): StackSettings {
  const read = new SettingReader(raw, namespace);
  rejectUnknownKeys(read);
  const d = SETTINGS;
  const tags = tagSchema(
    {
      key: read.optionalString("tagKey"),
      infectedValue: read.optionalString("tagInfectedValue"),
      cleanValue: read.optionalString("tagCleanValue"),
      resultKey: read.optionalString("tagResultKey"),
      stampKey: read.optionalString("tagStampKey"),
      pendingValue: read.optionalString("tagPendingValue"),
    },
    {
      key: read.name("tagKey"),
      infectedValue: read.name("tagInfectedValue"),
      cleanValue: read.name("tagCleanValue"),
      resultKey: read.name("tagResultKey"),
      stampKey: read.name("tagStampKey"),
      pendingValue: read.name("tagPendingValue"),
    },
  );
  const failClosed = read.boolean("failClosed", d.failClosed.default);
  const { definitionsPrefix, ...updater } = readUpdater(read);
  const updateSchedule = read.string("updateSchedule", d.updateSchedule.default);
  const scheduleIssue = scheduleProblem(updateSchedule);
  if (scheduleIssue) read.fail("updateSchedule", `"${updateSchedule}" ${scheduleIssue}`);
  const maxObjectBytes = read.limited(
    "maxObjectBytes",
    d.maxObjectBytes.default,
    ScannerLimits.maxObjectBytes,
  );
  const trigger = read.oneOf("trigger", TriggerKinds, d.trigger.default);
  // S3 invokes a direct scanner with one event at a time; only the queue batches.
  const queueBatchSize = read.limited("queueBatchSize", d.queueBatchSize.default, ScannerLimits.batchSize);
  const oldestMessageAlarmSeconds = read.limited(
    "oldestMessageAlarmSeconds",
    d.oldestMessageAlarmSeconds.default,
    ScannerLimits.oldestMessageAlarmSeconds,
  );
  // The component refuses queue-only arguments with the direct trigger; a setting left at its
  // default (Pulumi hands the program every default) is not one the user gave, so only others are.
  if (trigger === "direct")
    for (const [key, value] of [
      ["queueBatchSize", queueBatchSize],
      ["oldestMessageAlarmSeconds", oldestMessageAlarmSeconds],
    ] as const)
      if (value !== d[key].default)
        read.fail(key, `applies only to ${read.name("trigger")} "queue", and it is "direct"`);
  return {
    uploadBuckets: readUploadBuckets(read, tags, failClosed),
    forceDestroyUploadBuckets: read.boolean("forceDestroyUploadBuckets", d.forceDestroyUploadBuckets.default),
    preExistingObjects: read.oneOf(
      "preExistingObjects",
      PreExistingObjectModes,
      d.preExistingObjects.default,
    ),
    rescanWindowSeconds: parseRescanWindow(
      read.string("rescanWindow", d.rescanWindow.default),
      read.name("rescanWindow"),
    ),
    uploadLifecycle: {
      noncurrentVersionDays: read.integer(
        "noncurrentVersionDays",
        d.noncurrentVersionDays.default,
        0,
        LIFECYCLE_DAYS_MAX,
      ),
      abortIncompleteUploadDays: read.integer(
        "abortIncompleteUploadDays",
        d.abortIncompleteUploadDays.default,
        0,
        LIFECYCLE_DAYS_MAX,
      ),
    },
    architecture: read.oneOf("architecture", LambdaArchitectures, d.architecture.default),
    failClosed,
    breakGlassRoleArns: readRoleArns(read, "breakGlassRoleArns"),
    replicationRoleArns: readRoleArns(read, "replicationRoleArns"),
    allowServerSideCopies: read.boolean("allowServerSideCopies", d.allowServerSideCopies.default),
    trigger,
    tags,
    maxObjectBytes,
    scanner: readScanner(
      read,
      maxObjectBytes,
      updater.officialDatabases,
      trigger === "queue" ? queueBatchSize : 1,
    ),
    queueBatchSize,
    oldestMessageAlarmSeconds,
    alarmTopicArns: readTopicArns(read),
    infectedObjects: readInfectedObjects(read),
    updateSchedule,
    definitionsPrefix,
    updater,
    logRetentionDays: readRetention(read),
  };
}

/** The actions on infected objects; a delete with no copy kept needs its acknowledgement, as on the component. */
function readInfectedObjects(read: SettingReader): StackSettings["infectedObjects"] {
  const given = {
    quarantine: read.boolean("quarantineInfected", SETTINGS.quarantineInfected.default),
    delete: read.boolean("deleteInfected", SETTINGS.deleteInfected.default),
    acknowledge: read.boolean(
      "deleteInfectedWithoutQuarantine",
      SETTINGS.deleteInfectedWithoutQuarantine.default,
    ),
  };
  checkInfectedActions(given, {
    quarantine: read.name("quarantineInfected"),
    delete: read.name("deleteInfected"),
    acknowledge: read.name("deleteInfectedWithoutQuarantine"),
  });
  return {
    quarantine: given.quarantine,
    delete: given.delete,
    acknowledgeDeleteWithoutQuarantine: given.acknowledge,
  };
}

function rejectUnknownKeys(read: SettingReader): void {
  const known = Object.keys(SETTINGS);
  for (const key of read.unknownKeys(known)) {
    const near = closestKey(key, known);
    read.fail(key, `is not a ${read.namespace} setting${near ? ` (did you mean ${read.name(near)}?)` : ""}`);
  }
}

function readScanner(
  read: SettingReader,
  maxObjectBytes: number,
  official: boolean,
  batchSize: number,
): StackSettings["scanner"] {
  const memoryMb = read.limited(
    "scannerMemoryMb",
    SETTINGS.scannerMemoryMb.default,
    ScannerLimits.memoryMb(official),
  );
  const needed = size.requiredScannerStorageMb(maxObjectBytes, batchSize);
  if (needed > size.LAMBDA_EPHEMERAL_MB.max)
    read.fail(
      "maxObjectBytes",
      `needs ${needed} MB of /tmp, more than Lambda's ${size.LAMBDA_EPHEMERAL_MB.max}`,
    );
  const givenStorage = read.integer(
    "scannerEphemeralStorageMb",
    DERIVED_STORAGE,
    0,
    size.LAMBDA_EPHEMERAL_MB.max,
  );
  const storage = ScannerLimits.ephemeralStorageMb(
    maxObjectBytes,
    batchSize,
    read.name("maxObjectBytes"),
    "; 0 computes it",
  );
  const ephemeralStorageMb =
    givenStorage === DERIVED_STORAGE
      ? needed
      : read.inRange("scannerEphemeralStorageMb", givenStorage, storage.min, storage.max, storage.why);
  return {
    memoryMb,
    timeoutSeconds: read.limited(
      "scannerTimeoutSeconds",
      SETTINGS.scannerTimeoutSeconds.default,
      ScannerLimits.timeoutSeconds,
    ),
    ephemeralStorageMb,
    maxConcurrency: read.limited(
      "scannerMaxConcurrency",
      SETTINGS.scannerMaxConcurrency.default,
      ScannerLimits.maxConcurrency,
    ),
  };
}

/** The updater's sources and prefix, as {@link checkUpdaterSources} reads them. */
export interface UpdaterSources {
  definitionsPrefix: string;
  officialDatabases: boolean;
  databaseMirrors: readonly string[];
  privateMirrors: readonly string[];
  customDatabaseUrls: readonly string[];
}

/**
 * Checks the updater's sources (at least one, well-formed mirrors and URLs) and normalises the
 * prefix, with the updater handler's own parser, so a deploy refuses what the updater would refuse
 * at run time. Both entry points call it: the stack settings and `MalwareScanning`, each naming its
 * own fields through `nameOf`; a {@link ConfigError} names the field at fault.
 */
export function checkUpdaterSources(
  given: UpdaterSources,
  nameOf: (field: keyof UpdaterSources) => string,
): UpdaterSources {
  const fields: Record<string, keyof UpdaterSources> = {
    [EnvVars.definitionsPrefix]: "definitionsPrefix",
    [EnvVars.officialDatabases]: "officialDatabases",
    [EnvVars.databaseMirrors]: "databaseMirrors",
    [EnvVars.privateMirrors]: "privateMirrors",
    [EnvVars.customDatabaseUrls]: "customDatabaseUrls",
  };
  const env = updaterEnvironment({
    definitionsBucket: "-",
    definitionsPrefix: given.definitionsPrefix,
    officialDatabases: given.officialDatabases,
    databaseMirrors: [...given.databaseMirrors],
    privateMirrors: [...given.privateMirrors],
    customDatabaseUrls: [...given.customDatabaseUrls],
  });
  try {
    const parsed = parseUpdaterConfig(env);
    return {
      definitionsPrefix: parsed.definitionsPrefix,
      officialDatabases: given.officialDatabases,
      databaseMirrors: parsed.databaseMirrors,
      privateMirrors: parsed.privateMirrors,
      customDatabaseUrls: parsed.customDatabaseUrls,
    };
  } catch (e) {
    const field = e instanceof ConfigError ? fields[e.setting] : undefined;
    if (!(e instanceof ConfigError) || field === undefined) throw e;
    // The handler names its environment variables; say the caller's names instead.
    let message = e.message.slice(e.setting.length + 2);
    for (const [envName, f] of Object.entries(fields)) message = message.replaceAll(envName, nameOf(f));
    throw new ConfigError(nameOf(field), message, { cause: e });
  }
}

function readUpdater(read: SettingReader): StackSettings["updater"] & { definitionsPrefix: string } {
  const d = SETTINGS;
  const officialDatabases = read.boolean("officialDatabases", d.officialDatabases.default);
  const sources = checkUpdaterSources(
    {
      definitionsPrefix: read.string("definitionsPrefix", d.definitionsPrefix.default),
      officialDatabases,
      databaseMirrors: read.list("databaseMirrors", d.databaseMirrors.default),
      privateMirrors: read.list("privateMirrors", d.privateMirrors.default),
      customDatabaseUrls: read.list("customDatabaseUrls", d.customDatabaseUrls.default),
    },
    (field) => read.name(field),
  );
  return {
    definitionsPrefix: sources.definitionsPrefix,
    officialDatabases,
    databaseMirrors: [...sources.databaseMirrors],
    privateMirrors: [...sources.privateMirrors],
    customDatabaseUrls: [...sources.customDatabaseUrls],
    memoryMb: read.limited(
      "updaterMemoryMb",
      d.updaterMemoryMb.default,
      UpdaterLimits.memoryMb(officialDatabases),
    ),
    timeoutSeconds: read.limited(
      "updaterTimeoutSeconds",
      d.updaterTimeoutSeconds.default,
      UpdaterLimits.timeoutSeconds,
    ),
  };
}

function readUploadBuckets(
  read: SettingReader,
  tags: TagSchema,
  failClosed: boolean,
): UploadBucketSettings[] {
  const created = read.list("uploadBuckets", SETTINGS.uploadBuckets.default);
  const existing = read.list("existingUploadBuckets", SETTINGS.existingUploadBuckets.default);
  for (const name of created) {
    const problem = uploadNameProblem(name);
    if (problem) read.fail("uploadBuckets", `"${name}" ${problem}`);
  }
  for (const name of existing) {
    const problem = bucketNameProblem(name);
    if (problem) read.fail("existingUploadBuckets", `"${name}" is not a bucket name: it ${problem}`);
  }
  if (existing.length > 0 && !read.boolean("adoptExistingBuckets", SETTINGS.adoptExistingBuckets.default))
    read.fail(
      "adoptExistingBuckets",
      adoptionRefusal(
        existing,
        settingsAdoptionTerms((k) => read.name(k)),
      ),
    );
  if (created.length + existing.length === 0)
    read.fail(
      "uploadBuckets",
      `name at least one bucket to create, or set ${read.name("existingUploadBuckets")}`,
    );
  const keys = [...created, ...existing.map(existingBucketKey)];
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice !== undefined)
    read.fail("uploadBuckets", `"${twice}" is listed twice (counting ${read.name("existingUploadBuckets")})`);
  const statements = readPolicyStatements(read, [...created, ...existing], tags, failClosed);
  const kmsKeys = readKmsKeys(read, [...created, ...existing]);
  return [
    ...created.map((key) => ({
      key,
      policyStatements: statements[key] ?? [],
      kmsKeyArns: kmsKeys[key] ?? [],
    })),
    ...existing.map((name) => ({
      key: existingBucketKey(name),
      existingBucketName: name,
      policyStatements: statements[name] ?? [],
      kmsKeyArns: kmsKeys[name] ?? [],
    })),
  ];
}

/**
 * A setting holding a JSON object from upload bucket to a value: each entry read by `each`, after the
 * object's shape and its bucket names are checked.
 */
function readPerBucket<T>(
  read: SettingReader,
  key: string,
  buckets: readonly string[],
  valueShape: string,
  each: (bucket: string, given: unknown) => T,
): Record<string, T> {
  const value = read.json(key);
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    read.fail(key, `must be a JSON object from bucket name to ${valueShape}`);
  const result: Record<string, T> = {};
  for (const [bucket, given] of Object.entries(value)) {
    if (!buckets.includes(bucket))
      read.fail(key, `names "${bucket}", which is not one of the upload buckets`);
    result[bucket] = each(bucket, given);
  }
  return result;
}

function readPolicyStatements(
  read: SettingReader,
  buckets: readonly string[],
  tags: TagSchema,
  failClosed: boolean,
): Record<string, PolicyStatement[]> {
  const key = "bucketPolicyStatements";
  return readPerBucket(read, key, buckets, "a list of policy statements", (bucket, given) => {
    let statements: PolicyStatement[];
    try {
      statements = callerStatements(given as PolicyStatement[]);
    } catch (cause) {
      return read.fail(key, `the statements for "${bucket}" are not a policy`, cause);
    }
    if (!statements.every((s) => s?.Effect === "Allow" || s?.Effect === "Deny"))
      read.fail(key, `every statement for "${bucket}" needs an Effect of Allow or Deny`);
    try {
      const rule = accessRuleStatements({ bucket, tags, failClosed, scanner: scannerRole("-") });
      mergePolicy(rule, statements);
    } catch (cause) {
      read.fail(key, `"${bucket}": ${(cause as BucketwardenError).message}`, cause);
    }
    return statements;
  });
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-zA-Z-]+$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$/;

/** The first of `arns` that is not an ARN of `kind`, if any: both entry points refuse it. */
export function badArn(kind: "kmsKey" | "role" | "topic", arns: readonly unknown[]): unknown {
  const pattern = { kmsKey: KMS_KEY_ARN, role: ROLE_ARN, topic: TOPIC_ARN }[kind];
  return arns.find((a) => typeof a !== "string" || !pattern.test(a));
}

function readKmsKeys(read: SettingReader, buckets: readonly string[]): Record<string, string[]> {
  const key = "bucketKmsKeyArns";
  return readPerBucket(read, key, buckets, "a KMS key ARN (or a list of them)", (bucket, given) => {
    const arns = Array.isArray(given) ? given : [given];
    const bad = badArn("kmsKey", arns);
    if (bad !== undefined)
      read.fail(
        key,
        `"${String(bad)}" for "${bucket}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not an alias)`,
      );
    return arns as string[];
  });
}

function readRoleArns(read: SettingReader, key: "breakGlassRoleArns" | "replicationRoleArns"): string[] {
  const arns = read.list(key, SETTINGS[key].default);
  const bad = badArn("role", arns);
  if (bad !== undefined) read.fail(key, `"${String(bad)}" is not an IAM role ARN`);
  return arns;
}

function readTopicArns(read: SettingReader): string[] {
  const arns = read.list("alarmTopicArns", SETTINGS.alarmTopicArns.default);
  const bad = badArn("topic", arns);
  if (bad !== undefined) read.fail("alarmTopicArns", `"${String(bad)}" is not an SNS topic ARN`);
  return arns;
}

function readRetention(read: SettingReader): number {
  const days = read.integer("logRetentionDays", SETTINGS.logRetentionDays.default, 1, 3653);
  return checkLogRetention(read.name("logRetentionDays"), days);
}

/**
 * The `MalwareScanning` argument(s) each stack setting sets, as dotted paths (`<bucket>` stands for
 * each upload bucket's key). The component arguments are the one definition of what a setting does,
 * its default and its checks; a setting is a thin, named way to set them from the stack file.
 * `stackArguments` follows this table, and tests/components/stack-settings.test.ts holds the two
 * together: every setting moves its arguments and no other, with the same default and the same checks.
 */
export const SETTING_ARGUMENTS: Record<SettingKey, readonly string[]> = {
  uploadBuckets: ["uploadBuckets.<bucket>.newBucket"],
  preExistingObjects: ["uploadBuckets.<bucket>.preExistingObjects"],
  rescanWindow: ["rescanWindow"],
  quarantineInfected: ["scanner.infectedObjects.quarantine"],
  deleteInfected: ["scanner.infectedObjects.delete"],
  deleteInfectedWithoutQuarantine: ["scanner.infectedObjects.acknowledgeDeleteWithoutQuarantine"],
  existingUploadBuckets: ["uploadBuckets.<bucket>.existingBucketName"],
  adoptExistingBuckets: ["uploadBuckets.<bucket>.adoptExistingBucket"],
  bucketPolicyStatements: ["uploadBuckets.<bucket>.policyStatements"],
  bucketKmsKeyArns: ["uploadBuckets.<bucket>.kmsKeyArns"],
  forceDestroyUploadBuckets: ["uploadBuckets.<bucket>.newBucket.forceDestroy"],
  noncurrentVersionDays: ["uploadBuckets.<bucket>.newBucket.noncurrentVersionDays"],
  abortIncompleteUploadDays: ["uploadBuckets.<bucket>.newBucket.abortIncompleteUploadDays"],
  architecture: ["architecture"],
  failClosed: ["scanner.failClosed"],
  breakGlassRoleArns: ["scanner.breakGlassRoleArns"],
  replicationRoleArns: ["scanner.replicationRoleArns"],
  allowServerSideCopies: ["scanner.serverSideCopies.withinBucket"],
  trigger: ["scanner.trigger"],
  tagKey: ["scanner.verdictTags.key"],
  tagInfectedValue: ["scanner.verdictTags.infectedValue"],
  tagCleanValue: ["scanner.verdictTags.cleanValue"],
  tagResultKey: ["scanner.verdictTags.resultKey"],
  tagStampKey: ["scanner.verdictTags.stampKey"],
  tagPendingValue: ["scanner.verdictTags.pendingValue"],
  maxObjectBytes: ["scanner.maxObjectBytes"],
  scannerMemoryMb: ["scanner.memoryMb"],
  scannerTimeoutSeconds: ["scanner.timeoutSeconds"],
  scannerEphemeralStorageMb: ["scanner.ephemeralStorageMb"],
  scannerMaxConcurrency: ["scanner.maxConcurrency"],
  queueBatchSize: ["scanner.batchSize"],
  oldestMessageAlarmSeconds: ["scanner.oldestMessageAlarmSeconds"],
  alarmTopicArns: ["scanner.alarmTopicArns", "definitions.alarmTopicArns"],
  updateSchedule: ["definitions.schedule"],
  definitionsPrefix: ["definitions.prefix"],
  officialDatabases: ["definitions.officialDatabases"],
  databaseMirrors: ["definitions.databaseMirrors"],
  privateMirrors: ["definitions.privateMirrors"],
  customDatabaseUrls: ["definitions.customDatabaseUrls"],
  updaterMemoryMb: ["definitions.memoryMb"],
  updaterTimeoutSeconds: ["definitions.timeoutSeconds"],
  logRetentionDays: ["scanner.logRetentionDays", "definitions.logRetentionDays"],
};

/** One upload bucket as `MalwareScanning`'s `uploadBuckets` takes it, from the stack settings. */
export interface StackUploadBucket {
  newBucket?: { forceDestroy: boolean; noncurrentVersionDays: number; abortIncompleteUploadDays: number };
  existingBucketName?: string;
  adoptExistingBucket?: true;
  preExistingObjects?: PreExistingObjectMode;
  policyStatements: PolicyStatement[];
  kmsKeyArns: string[];
}

/**
 * The `MalwareScanning` arguments the stack settings give (a plain-data mirror of the component's
 * argument types: core/ imports no Pulumi; `index.ts` passes it straight to the component, so the
 * compiler holds the two shapes together).
 */
export interface StackArguments {
  uploadBuckets: Record<string, StackUploadBucket>;
  architecture: LambdaArchitecture;
  /** A duration in seconds (`"<n>s"`), or false when rescans are off. */
  rescanWindow: string | false;
  definitions: {
    prefix: string;
    schedule: string;
    officialDatabases: boolean;
    databaseMirrors: string[];
    privateMirrors: string[];
    customDatabaseUrls: string[];
    memoryMb: number;
    timeoutSeconds: number;
    alarmTopicArns: string[];
    logRetentionDays: number;
  };
  scanner: {
    trigger: TriggerKind;
    verdictTags: TagSchema;
    failClosed: boolean;
    breakGlassRoleArns: string[];
    replicationRoleArns: string[];
    serverSideCopies: { withinBucket: boolean };
    maxObjectBytes: number;
    memoryMb: number;
    timeoutSeconds: number;
    ephemeralStorageMb: number;
    maxConcurrency: number;
    batchSize?: number;
    oldestMessageAlarmSeconds?: number;
    alarmTopicArns: string[];
    logRetentionDays: number;
    infectedObjects: { quarantine: boolean; delete: boolean; acknowledgeDeleteWithoutQuarantine: boolean };
  };
}

/** The component arguments the checked settings set, per {@link SETTING_ARGUMENTS}. */
export function stackArguments(s: StackSettings): StackArguments {
  const uploadBuckets = Object.fromEntries(
    s.uploadBuckets.map((b): [string, StackUploadBucket] => [
      b.key,
      b.existingBucketName !== undefined
        ? {
            existingBucketName: b.existingBucketName,
            // parseStackSettings refuses an existing bucket without bucketwarden:adoptExistingBuckets.
            adoptExistingBucket: true,
            preExistingObjects: s.preExistingObjects,
            policyStatements: b.policyStatements,
            kmsKeyArns: b.kmsKeyArns,
          }
        : {
            newBucket: { forceDestroy: s.forceDestroyUploadBuckets, ...s.uploadLifecycle },
            policyStatements: b.policyStatements,
            kmsKeyArns: b.kmsKeyArns,
          },
    ]),
  );
  return {
    uploadBuckets,
    architecture: s.architecture,
    rescanWindow: s.rescanWindowSeconds === undefined ? false : `${s.rescanWindowSeconds}s`,
    definitions: {
      prefix: s.definitionsPrefix,
      schedule: s.updateSchedule,
      officialDatabases: s.updater.officialDatabases,
      databaseMirrors: s.updater.databaseMirrors,
      privateMirrors: s.updater.privateMirrors,
      customDatabaseUrls: s.updater.customDatabaseUrls,
      memoryMb: s.updater.memoryMb,
      timeoutSeconds: s.updater.timeoutSeconds,
      alarmTopicArns: s.alarmTopicArns,
      logRetentionDays: s.logRetentionDays,
    },
    scanner: {
      trigger: s.trigger,
      verdictTags: s.tags,
      failClosed: s.failClosed,
      breakGlassRoleArns: s.breakGlassRoleArns,
      replicationRoleArns: s.replicationRoleArns,
      serverSideCopies: { withinBucket: s.allowServerSideCopies },
      maxObjectBytes: s.maxObjectBytes,
      memoryMb: s.scanner.memoryMb,
      timeoutSeconds: s.scanner.timeoutSeconds,
      ephemeralStorageMb: s.scanner.ephemeralStorageMb,
      maxConcurrency: s.scanner.maxConcurrency,
      // The component refuses queue-only arguments with the direct trigger, which has no queue.
      ...(s.trigger === "queue"
        ? { batchSize: s.queueBatchSize, oldestMessageAlarmSeconds: s.oldestMessageAlarmSeconds }
        : {}),
      alarmTopicArns: s.alarmTopicArns,
      logRetentionDays: s.logRetentionDays,
      infectedObjects: s.infectedObjects,
    },
  };
}
