/**
 * Durations as people write them on a command line or in a setting: `90s`, `30m`, `24h`, `7d`,
 * `2w`, or a sum such as `1h30m`. A bare number is refused: `--since 24` is ambiguous.
 */
import { UsageError } from "./errors";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Milliseconds of `text`; throws {@link UsageError} saying what is accepted. */
export function parseDuration(text: string, what = "duration"): number {
  const t = text.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(part)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed += m[0].length;
  }
  if (t === "" || consumed !== t.length)
    throw new UsageError(
      `${what} "${text}" is not a duration: write a number and a unit (s, m, h, d, w), e.g. 90s, 30m, 24h, 7d, 1h30m`,
    );
  if (!(total > 0)) throw new UsageError(`${what} "${text}" must be longer than zero`);
  return Math.round(total);
}

/** A duration short enough for a progress line: `42s`, `3m05s`, `2h04m`, `3d02h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const s = Math.round(ms / 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor((s % 86_400) / 3600))}h`;
}
