import { StoreInfoError } from "./errors";

/**
 * The store's users by the part they play. The scanner is a user of its own rather than the bucket
 * owner, so that tests prove its exemption from the access rule comes from its username.
 */
export const StoreRoles = ["owner", "scanner", "uploader"] as const;
export type StoreRole = (typeof StoreRoles)[number];

/** The daemons `store.sh` starts, by the key of their pid in `store.json`. */
export const StoreDaemons = ["mon", "osd", "rgw"] as const;
export type StoreDaemon = (typeof StoreDaemons)[number];

/** One gateway user and its S3 credentials. */
export interface StoreUser {
  /** Gateway user id, also its `aws:username` in policy conditions. */
  uid: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** What `store.sh start` writes to `<dir>/store.json`. */
export interface StoreInfo {
  /** S3 (and SNS) endpoint, `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Region to sign with; the gateway accepts `us-east-1`. */
  region: string;
  /** Absolute scratch directory holding everything of this store. */
  dir: string;
  /** `ceph.conf` of the cluster, for `ceph -c` and `radosgw-admin -c`. */
  conf: string;
  /** Monitor address list, as in `ceph.conf`. */
  monHost: string;
  /** Memstore capacity of the single OSD, in bytes. */
  osdBytes: number;
  users: Record<StoreRole, StoreUser>;
  /** Process ids of the daemons, as their pid files name them. */
  pids: Record<StoreDaemon, number>;
}

/** Checks the shape of a parsed `store.json`; `file` only names it in errors. */
export function parseStoreInfo(value: unknown, file: string): StoreInfo {
  const fail = (reason: string): never => {
    throw new StoreInfoError(file, reason);
  };
  const record = (v: unknown, what: string): Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(`${what} must be an object`);
  const text = (o: Record<string, unknown>, key: string, what: string): string =>
    typeof o[key] === "string" && o[key] !== ""
      ? (o[key] as string)
      : fail(`${what}.${key} must be a non-empty string`);
  const count = (o: Record<string, unknown>, key: string, what: string): number =>
    Number.isSafeInteger(o[key]) && (o[key] as number) > 0
      ? (o[key] as number)
      : fail(`${what}.${key} must be a positive integer`);

  const root = record(value, "store.json");
  const users = record(root.users, "users");
  const pids = record(root.pids, "pids");
  const user = (role: StoreRole): StoreUser => {
    const u = record(users[role], `users.${role}`);
    const what = `users.${role}`;
    return {
      uid: text(u, "uid", what),
      accessKeyId: text(u, "accessKeyId", what),
      secretAccessKey: text(u, "secretAccessKey", what),
    };
  };
  return {
    endpoint: text(root, "endpoint", "store"),
    region: text(root, "region", "store"),
    dir: text(root, "dir", "store"),
    conf: text(root, "conf", "store"),
    monHost: text(root, "monHost", "store"),
    osdBytes: count(root, "osdBytes", "store"),
    users: { owner: user("owner"), scanner: user("scanner"), uploader: user("uploader") },
    pids: {
      mon: count(pids, "mon", "pids"),
      osd: count(pids, "osd", "pids"),
      rgw: count(pids, "rgw", "pids"),
    },
  };
}
