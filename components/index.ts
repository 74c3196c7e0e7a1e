/**
 * The bucketwarden components. Import these into any Pulumi TypeScript program:
 * `new MalwareScanning("scanning", { buckets: [photos] })`, `photos` an `aws.s3.Bucket`.
 */
export { type AccessRuleOptions, accessRulePolicyStatements } from "./access-rule-statements";
export { BacklogScanning, type BacklogScanningArgs } from "./backlog-scanning";
export {
  type DefinitionsRef,
  type DefinitionsSettings,
  DefinitionsStore,
  type DefinitionsStoreArgs,
} from "./definitions-store";
export { MalwareScanning, type MalwareScanningArgs, type UploadBucketRef } from "./malware-scanning";
export { QuarantineBucket, type QuarantineBucketArgs } from "./quarantine-bucket";
export type { ResourceTags } from "./resource-tags";
export { ComponentTypes, ManagedResourceTypes, TaggableResourceTypes } from "./types";
export {
  type ExtraNotifications,
  type InfectedObjectsArgs,
  type NewUploadBucketArgs,
  UploadScanner,
  type UploadScannerArgs,
} from "./upload-scanner";
export type { ScannerArgs, ServerSideCopies, UploadBucketArgs } from "./upload-scanner-args";
