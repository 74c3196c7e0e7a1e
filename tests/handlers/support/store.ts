/**
 * The real S3 store for the handler tests: the one named by BW_STORE_DIR (as `npm test` starts it),
 * or one started here for this process and stopped when it exits.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  readStore,
  STORE_SCRIPT,
  type StoreInfo,
  type StoreRole,
  s3Client,
  startStore,
} from "../../../local/store";

let store: Promise<StoreInfo> | undefined;

/** The store, started on first use. */
export function testStore(): Promise<StoreInfo> {
  store ??= (async () => {
    const shared = process.env.BW_STORE_DIR;
    if (shared) return readStore(shared);
    const dir = resolve(__dirname, "../../..", ".local/handlers-test-store");
    const info = await startStore({ dir });
    process.on("exit", () => {
      execFileSync("bash", [STORE_SCRIPT, "stop", dir], { stdio: "ignore" });
    });
    return info;
  })();
  return store;
}

/** An S3 client signed as one of the store's users. */
export async function clientAs(role: StoreRole): Promise<S3Client> {
  return s3Client(await testStore(), role);
}

/** A bucket name no other test (or earlier run) uses. */
export function uniqueBucket(purpose: string): string {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return `bw-${purpose}-${suffix}`.toLowerCase().slice(0, 63);
}
