/**
 * The rescan window: how far back a definitions update that adds signatures reaches. Objects scanned
 * within the window are scanned again with the new definitions; older ones keep their verdict. Pure.
 */
import { ConfigError } from "./errors";

/** How pre-existing objects of an adopted bucket are treated until the backlog scan reaches them. */
export const PreExistingObjectModes = ["readable-until-scanned", "strict"] as const;
export type PreExistingObjectMode = (typeof PreExistingObjectModes)[number];

/** Readable until scanned: adopting a bucket serving data must not take it offline. */
export const DEFAULT_PRE_EXISTING_OBJECTS: PreExistingObjectMode = "readable-until-scanned";

/**
 * One day: with the default update schedule (every 12 hours) an upload is rescanned by at most the
 * two updates that follow it, which bounds the cost (README "Adopting a bucket that already holds
 * data") while covering the days when new signatures for fresh malware arrive.
 */
export const DEFAULT_RESCAN_WINDOW = "24h";

/** The longest window: Batch Operations' generated manifest filters by creation date; a year is plenty. */
export const MAX_RESCAN_WINDOW_SECONDS = 366 * 24 * 3600;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Seconds in a rescan window written as `<n><unit>` (`s`, `m`, `h`, `d`; e.g. `"24h"`, `"7d"`), or
 * `undefined` when rescans are off (`"0"`, `"off"`, `false`). Throws {@link ConfigError} naming
 * `setting` otherwise.
 */
export function parseRescanWindow(value: string | number | boolean, setting: string): number | undefined {
  if (value === false || value === 0) return undefined;
  const text = String(value).trim().toLowerCase();
  if (text === "0" || text === "off" || text === "false") return undefined;
  const match = /^(\d+)\s*([smhd])$/.exec(text);
  if (!match)
    throw new ConfigError(
      setting,
      `"${String(value)}" is not a duration: write a number and a unit (s, m, h, d), e.g. "24h" or "7d", or "0" to turn rescans off`,
    );
  const seconds = Number(match[1]) * UNITS[match[2]];
  if (seconds < 60 || seconds > MAX_RESCAN_WINDOW_SECONDS)
    throw new ConfigError(
      setting,
      `"${String(value)}" must be between 1 minute and 366 days (or "0" to turn rescans off)`,
    );
  return seconds;
}
