/**
 * The resource type tokens the rules read. @pulumi/aws is not a dependency of the pack: the rules
 * compare tokens, so the pack stays small and checks programs written against any provider version
 * that keeps these tokens.
 */

/** AWS resource types, as the engine names them. */
export const AwsTypes = {
  bucket: "aws:s3/bucket:Bucket",
  /** Deprecated in @pulumi/aws v7 but still accepted: a rule about buckets must match both. */
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketEncryptionV2:
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  queue: "aws:sqs/queue:Queue",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  topic: "aws:sns/topic:Topic",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  function: "aws:lambda/function:Function",
  layerVersion: "aws:lambda/layerVersion:LayerVersion",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  functionEventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  kmsKey: "aws:kms/key:Key",
} as const;

/** Both bucket types. */
export const BUCKET_TYPES: readonly string[] = [AwsTypes.bucket, AwsTypes.bucketV2];

/** Both encryption-configuration types. */
export const BUCKET_ENCRYPTION_TYPES: readonly string[] = [
  AwsTypes.bucketEncryption,
  AwsTypes.bucketEncryptionV2,
];

/**
 * bucketwarden's component type tokens (`bucketwarden:index:<Name>`, a public contract of the
 * components). A bucket created inside a DefinitionsStore (definitions), a BacklogScanning (Batch
 * Operations manifests and reports) or a QuarantineBucket (infected copies) is the project's own
 * infrastructure, not an upload bucket.
 */
export const ComponentTypes = {
  definitionsStore: "bucketwarden:index:DefinitionsStore",
  uploadScanner: "bucketwarden:index:UploadScanner",
  malwareScanning: "bucketwarden:index:MalwareScanning",
  backlogScanning: "bucketwarden:index:BacklogScanning",
  quarantineBucket: "bucketwarden:index:QuarantineBucket",
} as const;
