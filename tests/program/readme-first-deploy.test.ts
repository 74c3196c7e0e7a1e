import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CAPPED_ACCOUNT_MEMORY_MB, CONCURRENT_RELOAD_MEMORY_MB } from "../../core/sizing";
import { PROJECT_ROOT } from "./run-program";

describe("README: before your first deploy", () => {
  const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("### Before your first deploy");
  const section = start < 0 ? "" : readme.slice(start, readme.indexOf("\n## ", start));
  const cap = CAPPED_ACCOUNT_MEMORY_MB.toLocaleString("en-US");

  const points: Array<[string, RegExp]> = [
    ["names the memory cap of new accounts that the default respects", new RegExp(`${cap} MB`)],
    ["says what the cap costs: scans wait during a reload", /scans wait during a reload/],
    ["names the memory that keeps scans going", new RegExp(`${CONCURRENT_RELOAD_MEMORY_MB} or more`)],
    ["covers the concurrency quota", /concurrency quota/],
    ["advises a private mirror for many stacks", /private mirror/],
    ["says what to do when ClamAV's CDN refuses the account", /403 or 429/],
  ];
  for (const [title, pattern] of points) it(title, () => assert.match(section, pattern));
});
