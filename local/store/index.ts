/**
 * The project's own S3 store for tests, local mode and benchmarks: a single-node Ceph RADOS Gateway
 * on loopback, started and stopped by `store.sh` in this folder. See README.md.
 */
export { s3Client, snsClient } from "./clients";
export { StoreCommandError, StoreError, StoreInfoError } from "./errors";
export {
  DEFAULT_STORE_DIR,
  readStore,
  reviveGateway,
  STORE_SCRIPT,
  type StartStoreOptions,
  type StoreStatus,
  startStore,
  stopStore,
  storeStatus,
} from "./lifecycle";
export {
  parseStoreInfo,
  type StoreDaemon,
  StoreDaemons,
  type StoreInfo,
  type StoreRole,
  StoreRoles,
  type StoreUser,
} from "./types";
