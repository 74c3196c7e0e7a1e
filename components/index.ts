/**
 * The bucketwarden components. Import these into any Pulumi TypeScript program:
 * `new MalwareScanning("scanning", { uploadBuckets: { photos: { newBucket: true } } })`.
 */
export { type AccessRuleOptions, accessRulePolicyStatements } from "./access-rule-statements";
export { BacklogScanning, type BacklogScanningArgs } from "./backlog-scanning";
export { type DefinitionsRef, DefinitionsStore, type DefinitionsStoreArgs } from "./definitions-store";
export {
  MalwareScanning,
  type MalwareScanningArgs,
  type SharedScannerArgs,
  type UploadBucketArgs,
} from "./malware-scanning";
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
