/**
 * One layer build at a time per output folder: handler tests, local mode and this project's own
 * tests may all start `buildLayers` on the same checkout, and two builds would replace each other's
 * folders midway.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { LayerBuildError } from "./errors";

/** Runs `work` holding the lock file `path`, waiting up to `timeoutMs` for a live holder to finish. */
export async function withLock<T>(path: string, work: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!holderAlive(path)) {
        // Left by a build that was killed: nobody will remove it but us.
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LayerBuildError(`another layer build holds ${path}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}

function holderAlive(path: string): boolean {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is someone else's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
