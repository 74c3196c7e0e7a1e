/**
 * The pack's rules, importable without constructing the PolicyPack (whose constructor starts a
 * server and exits the process on a second pack).
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { scanningInfrastructureHardened } from "./scanning-infrastructure-hardened";
import { uploadBucketDeniesInfectedReads } from "./upload-bucket-denies-infected-reads";
import { uploadBucketFailClosed } from "./upload-bucket-fail-closed";
import { uploadBucketKmsReadable } from "./upload-bucket-kms-readable";
import { uploadBucketScannerTrigger } from "./upload-bucket-scanner-trigger";
import { verdictTagsScannerOnly } from "./verdict-tags-scanner-only";

export type { ScanningInfrastructureHardenedArgs } from "./scanning-infrastructure-hardened";
export type { UploadBucketDeniesInfectedReadsArgs } from "./upload-bucket-denies-infected-reads";
export type { UploadBucketFailClosedArgs } from "./upload-bucket-fail-closed";
export type { UploadBucketKmsReadableArgs } from "./upload-bucket-kms-readable";
export type { UploadBucketScannerTriggerArgs } from "./upload-bucket-scanner-trigger";
export type { VerdictTagsScannerOnlyArgs } from "./verdict-tags-scanner-only";
export {
  scanningInfrastructureHardened,
  uploadBucketDeniesInfectedReads,
  uploadBucketFailClosed,
  uploadBucketKmsReadable,
  uploadBucketScannerTrigger,
  verdictTagsScannerOnly,
};

/** Every rule of the pack, in the order the pipeline depends on them. */
export const rules: StackValidationPolicy[] = [
  uploadBucketScannerTrigger,
  uploadBucketDeniesInfectedReads,
  verdictTagsScannerOnly,
  uploadBucketFailClosed,
  uploadBucketKmsReadable,
  scanningInfrastructureHardened,
];
