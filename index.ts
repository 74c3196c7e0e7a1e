/**
 * The bucketwarden program: reads the stack's `bucketwarden:*` settings (see Pulumi.yaml) and builds
 * the whole pipeline from them.
 */
import * as pulumi from "@pulumi/pulumi";
import { MalwareScanning } from "./components";
import { stackComponentName } from "./core/naming";
import { parseStackSettings, type StackSettings } from "./core/settings";

const settings = parseStackSettings(pulumi.runtime.allConfig());
const name = stackComponentName(pulumi.getStack());

function uploadBuckets(s: StackSettings) {
  return Object.fromEntries(
    s.uploadBuckets.map((b) => [
      b.key,
      b.existingBucketName !== undefined
        ? {
            existingBucketName: b.existingBucketName,
            // The settings refuse an existing bucket without bucketwarden:adoptExistingBuckets.
            adoptExistingBucket: true,
            preExistingObjects: s.preExistingObjects,
            policyStatements: b.policyStatements,
            kmsKeyArns: b.kmsKeyArns,
          }
        : {
            kmsKeyArns: b.kmsKeyArns,
            newBucket: { forceDestroy: s.forceDestroyUploadBuckets, ...s.uploadLifecycle },
            policyStatements: b.policyStatements,
          },
    ]),
  );
}

const scanning = new MalwareScanning(name, {
  uploadBuckets: uploadBuckets(settings),
  architecture: settings.architecture,
  namePrefix: name,
  rescanWindow: settings.rescanWindowSeconds === undefined ? false : `${settings.rescanWindowSeconds}s`,
  definitions: {
    prefix: settings.definitionsPrefix,
    schedule: settings.updateSchedule,
    officialDatabases: settings.updater.officialDatabases,
    databaseMirrors: settings.updater.databaseMirrors,
    privateMirrors: settings.updater.privateMirrors,
    customDatabaseUrls: settings.updater.customDatabaseUrls,
    memoryMb: settings.updater.memoryMb,
    timeoutSeconds: settings.updater.timeoutSeconds,
    alarmTopicArns: settings.alarmTopicArns,
    logRetentionDays: settings.logRetentionDays,
  },
  scanner: {
    trigger: settings.trigger,
    verdictTags: settings.tags,
    failClosed: settings.failClosed,
    breakGlassRoleArns: settings.breakGlassRoleArns,
    replicationRoleArns: settings.replicationRoleArns,
    serverSideCopies: { withinBucket: settings.allowServerSideCopies },
    maxObjectBytes: settings.maxObjectBytes,
    memoryMb: settings.scanner.memoryMb,
    timeoutSeconds: settings.scanner.timeoutSeconds,
    ephemeralStorageMb: settings.scanner.ephemeralStorageMb,
    maxConcurrency: settings.scanner.maxConcurrency,
    // Queue-only settings stay unset with the direct trigger, which rejects them.
    ...(settings.trigger === "queue"
      ? { batchSize: settings.queueBatchSize, oldestMessageAlarmSeconds: settings.oldestMessageAlarmSeconds }
      : {}),
    alarmTopicArns: settings.alarmTopicArns,
    logRetentionDays: settings.logRetentionDays,
    infectedObjects: settings.infectedObjects,
  },
});

export const definitionsBucketName = scanning.definitions.bucketName;
export const updaterFunctionName = scanning.definitions.updater.name;
/**
 * How the first definitions update went, and the alarms that watch the definitions: a deploy succeeds
 * even when ClamAV's mirror refuses the account (403/429), and this says so.
 */
export const definitions = {
  initialUpdateStatus: scanning.definitions.initialUpdateStatus,
  missingAlarm: scanning.definitions.definitionsMissingAlarm.name,
  staleAlarm: scanning.definitions.definitionsStaleAlarm.name,
};
export const uploadBucketNames = scanning.uploadBucketNames();
export const scannerFunctionNames = scanning.scannerNames();
export const uploadBucketPolicies = scanning.policies();
/**
 * What the CLI needs to start S3 Batch Operations jobs that scan existing objects: the role a job
 * runs as, where its manifests and completion report go, and each upload bucket's scanner.
 */
export const backlogScanning = scanning.backlog && {
  jobRoleArn: scanning.backlog.jobRoleArn,
  reportBucketName: scanning.backlog.reportBucketName,
  reportBucketArn: scanning.backlog.reportBucketArn,
  reportPrefix: scanning.backlog.reportPrefix,
  manifestPrefix: scanning.backlog.manifestPrefix,
  scannerFunctionArns: scanning.backlog.scannerFunctionArns,
};
