/**
 * EventBridge schedule expressions for the updater, and the rule ClamAV asks of everyone who
 * downloads its databases: check at most once an hour.
 */

/** The updater's default: twice a day, as the seed suggests. */
export const DEFAULT_UPDATE_SCHEDULE = "rate(12 hours)";

/** The shortest interval allowed between two scheduled updates. */
export const MIN_SCHEDULE_INTERVAL_SECONDS = 3600;

const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86_400 } as const;

/** Seconds between two runs of a `rate(...)` expression, or `undefined` for any other expression. */
export function rateSeconds(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

function rateProblem(expression: string): string | undefined {
  const m = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (!m) return 'must look like "rate(12 hours)", "rate(1 day)" or "cron(0 */6 * * ? *)"';
  const value = Number(m[1]);
  if (value < 1) return "must name a positive interval";
  // EventBridge rejects "rate(1 hours)" and "rate(2 hour)".
  if ((value === 1) !== (m[3] === "")) return `must use "${m[2]}" for 1 and "${m[2]}s" for more`;
  const seconds = value * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
  if (seconds < MIN_SCHEDULE_INTERVAL_SECONDS) return TOO_OFTEN;
  return undefined;
}

function cronProblem(expression: string): string | undefined {
  const m = /^cron\((.*)\)$/.exec(expression);
  const fields = m ? m[1].trim().split(/\s+/) : [];
  if (fields.length !== 6)
    return "a cron expression must have 6 fields: minutes hours day-of-month month day-of-week year";
  // One fixed minute fires at most once an hour whatever the other fields say; a list, range,
  // step or wildcard in the minutes field fires more often.
  if (!/^\d{1,2}$/.test(fields[0]) || Number(fields[0]) > 59) return TOO_OFTEN;
  if (fields[2] !== "?" && fields[4] !== "?")
    return "a cron expression needs ? in day-of-month or day-of-week";
  return undefined;
}

const TOO_OFTEN = "must not run more than once an hour: ClamAV's mirrors ask for at most one check an hour";

/**
 * Why `expression` cannot schedule the updater, or `undefined` when it can. A cron expression must
 * fix its minutes field, which makes it fire at most hourly.
 */
export function scheduleProblem(expression: string): string | undefined {
  const e = expression.trim();
  if (e.startsWith("rate(")) return rateProblem(e);
  if (e.startsWith("cron(")) return cronProblem(e);
  return 'must be an EventBridge schedule expression, "rate(...)" or "cron(...)"';
}

/** ClamAV publishes new daily signatures several times a day; older than two days is stale whatever the schedule. */
const STALE_FLOOR_SECONDS = 2 * UNIT_SECONDS.day;

/**
 * When the definitions the scanners read count as stale: two scheduled runs missed, plus an hour of
 * slack for a slow run, and never less than two days. A cron schedule's interval is not parsed here,
 * so it gets the two days.
 */
export function staleDefinitionsSeconds(expression: string): number {
  const every = rateSeconds(expression);
  return every === undefined ? STALE_FLOOR_SECONDS : Math.max(STALE_FLOOR_SECONDS, 2 * every + 3600);
}
