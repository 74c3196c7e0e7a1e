/**
 * Proof that a database folder loads: `clamscan` from the freshclam layer loads every file in it,
 * exactly as the scanners' clamd will, and scans an empty file. Only a folder that passes is published.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UpdateError } from "../shared/errors";
import { runTool, type ToolResolver } from "../shared/tools";

/** What loading the database showed. */
export interface DatabaseCheck {
  /** Signatures loaded, as clamscan counts them. */
  signatures: number;
  loadMs: number;
}

/**
 * Loads the database in `databaseDir` with clamscan; throws {@link UpdateError} (with clamscan's
 * output) when it does not load or holds no signatures.
 */
export async function verifyDatabase(
  tools: ToolResolver,
  databaseDir: string,
  scratchDir: string,
  timeoutMs: number,
): Promise<DatabaseCheck> {
  const probe = join(scratchDir, "empty-probe");
  await writeFile(probe, "");
  const run = await runTool(tools("clamscan", [`--database=${databaseDir}`, "--stdout", probe]), timeoutMs);
  const signatures = Number(/^Known viruses: (\d+)$/m.exec(run.output)?.[1] ?? 0);
  if (run.exitCode !== 0)
    throw new UpdateError(
      `the updated database does not load (clamscan exit ${run.exitCode ?? run.signal}): ${lastLines(run.output)}`,
    );
  if (signatures === 0) throw new UpdateError("the updated database holds no signatures");
  return { signatures, loadMs: Math.round(run.durationMs) };
}

export function lastLines(output: string, n = 8): string {
  return output.trim().split("\n").slice(-n).join("\n");
}
