/**
 * How long the updater's tools may run, from the time the invocation has left. A tool timeout longer
 * than what Lambda still allows would let Lambda kill the whole invocation mid-publish instead of
 * the updater stopping the tool and saying why.
 */
import { UpdateError } from "../shared/errors";

/** Kept back after loading the database: uploading it, the manifest, the history and the pruning. */
export const PUBLISH_RESERVE_MS = 45_000;
/** Kept back after freshclam for loading the database (the official one loads in 15-60 s). */
export const VERIFY_RESERVE_MS = 90_000;
/** Below this, a tool is not started at all: it could not finish. */
export const MIN_TOOL_MS = 2_000;

/** The longest each tool may run at most, whatever the time left. */
export interface ToolCaps {
  freshclamMs: number;
  verifyMs: number;
}

/** The default caps, for a run with no invocation deadline (local mode, tests). */
export const DEFAULT_TOOL_CAPS: ToolCaps = { freshclamMs: 600_000, verifyMs: 300_000 };

/**
 * freshclam's timeout: its cap, or what is left once loading and publishing are set aside. Throws
 * {@link UpdateError} when that leaves too little to start it.
 */
export function freshclamTimeoutMs(remainingMs: number, caps: ToolCaps = DEFAULT_TOOL_CAPS): number {
  return bounded("freshclam", remainingMs - VERIFY_RESERVE_MS - PUBLISH_RESERVE_MS, caps.freshclamMs);
}

/** clamscan's (the database load's) timeout: its cap, or what is left once publishing is set aside. */
export function verifyTimeoutMs(remainingMs: number, caps: ToolCaps = DEFAULT_TOOL_CAPS): number {
  return bounded("clamscan", remainingMs - PUBLISH_RESERVE_MS, caps.verifyMs);
}

function bounded(tool: string, availableMs: number, capMs: number): number {
  const ms = Math.floor(Math.min(capMs, availableMs));
  if (ms < MIN_TOOL_MS)
    throw new UpdateError(
      `not enough time left in this invocation to run ${tool} (${Math.max(0, ms)} ms); raise the updater's timeout`,
    );
  return ms;
}
