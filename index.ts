/**
 * The bucketwarden program: reads the stack's `bucketwarden:*` settings (see Pulumi.yaml) and builds
 * the whole pipeline from them.
 */
import * as pulumi from "@pulumi/pulumi";
import { MalwareScanning } from "./components";
import { stackComponentName } from "./core/naming";
import { parseStackSettings, stackArguments } from "./core/settings";

const name = stackComponentName(pulumi.getStack());
// The settings are checked, then mapped one to one onto the component's arguments (core/settings.ts,
// SETTING_ARGUMENTS): the component holds every default and every check.
const settings = parseStackSettings(pulumi.runtime.allConfig());
const scanning = new MalwareScanning(name, { ...stackArguments(settings), namePrefix: name });

export const definitionsBucketName = scanning.definitionsBucketName;
export const updaterFunctionName = scanning.updaterFunctionName;
/**
 * How the first definitions update went, and the alarms that watch the definitions: a deploy succeeds
 * even when ClamAV's mirror refuses the account (403/429), and this says so.
 */
export const definitions = {
  initialUpdateStatus: scanning.definitions.initialUpdateStatus,
  missingAlarm: scanning.definitions.definitionsMissingAlarm.name,
  staleAlarm: scanning.definitions.definitionsStaleAlarm.name,
};
export const uploadBucketNames = scanning.uploadBucketNames;
export const scannerFunctionNames = scanning.scannerFunctionNames;
export const uploadBucketPolicies = scanning.uploadBucketPolicies;
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
