/** Type tokens of the components and of the AWS resources they create. */

/** The components' type tokens, so policies and tests recognise them without constructing one. */
export const ComponentTypes = {
  DefinitionsStore: "bucketwarden:index:DefinitionsStore",
  UploadScanner: "bucketwarden:index:UploadScanner",
  MalwareScanning: "bucketwarden:index:MalwareScanning",
  BacklogScanning: "bucketwarden:index:BacklogScanning",
  QuarantineBucket: "bucketwarden:index:QuarantineBucket",
} as const;

/** The AWS resource types the components create, for policies that check a stack of them. */
export const ManagedResourceTypes = {
  bucket: "aws:s3/bucket:Bucket",
  /** A layer zip over Lambda's inline upload limit, staged in the definitions bucket. */
  bucketObject: "aws:s3/bucketObjectv2:BucketObjectv2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  layerVersion: "aws:lambda/layerVersion:LayerVersion",
  function: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  invocation: "aws:lambda/invocation:Invocation",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  eventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  logMetricFilter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
} as const;

/**
 * The types among {@link ManagedResourceTypes} whose arguments take `tags` (per `@pulumi/aws`'s
 * typings; a test holds the two together): the resources a component's `tags` argument reaches.
 */
export const TaggableResourceTypes = {
  bucket: ManagedResourceTypes.bucket,
  bucketObject: ManagedResourceTypes.bucketObject,
  function: ManagedResourceTypes.function,
  eventSourceMapping: ManagedResourceTypes.eventSourceMapping,
  role: ManagedResourceTypes.role,
  logGroup: ManagedResourceTypes.logGroup,
  eventRule: ManagedResourceTypes.eventRule,
  metricAlarm: ManagedResourceTypes.metricAlarm,
  queue: ManagedResourceTypes.queue,
} as const;
