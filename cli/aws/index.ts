/**
 * The AWS backend, as cli/main.ts loads it (`require("./aws/index")`): `awsBackend(options)` and the
 * errors a caller may want to tell apart.
 */
export { type AwsBackendOptions, awsBackend, DEFAULT_POLL, type PollSchedule } from "./backend";
export {
  AwsAccessDeniedError,
  AwsCredentialsError,
  BacklogJobEndedError,
  FollowStoppedError,
  MissingOutputsError,
  UnknownBucketError,
} from "./errors";
export { loadStackOutputs, type StackOutputs } from "./outputs";
