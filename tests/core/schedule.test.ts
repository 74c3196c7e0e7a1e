import assert from "node:assert/strict";
import {
  DEFAULT_UPDATE_SCHEDULE,
  rateSeconds,
  scheduleProblem,
  staleDefinitionsSeconds,
} from "../../core/schedule";

describe("core/schedule: scheduleProblem", () => {
  const table: Array<[string, string, RegExp | undefined]> = [
    ["accepts the default of twice a day", DEFAULT_UPDATE_SCHEDULE, undefined],
    ["accepts exactly hourly", "rate(1 hour)", undefined],
    ["accepts daily", "rate(1 day)", undefined],
    ["accepts 60 minutes", "rate(60 minutes)", undefined],
    ["rejects every 30 minutes", "rate(30 minutes)", /more than once an hour/],
    ["rejects every minute", "rate(1 minute)", /more than once an hour/],
    ["rejects a plural unit for 1, as EventBridge does", "rate(1 hours)", /"hour" for 1/],
    ["rejects a singular unit for more than 1, as EventBridge does", "rate(2 hour)", /"hours"/],
    ["rejects a zero interval", "rate(0 hours)", /positive/],
    ["rejects seconds, which EventBridge does not know", "rate(3600 seconds)", /must look like/],
    ["accepts a cron expression with a fixed minute", "cron(17 */6 * * ? *)", undefined],
    ["accepts hourly at a fixed minute", "cron(0 * * * ? *)", undefined],
    ["rejects a cron expression with a wildcard minute", "cron(* 3 * * ? *)", /more than once an hour/],
    [
      "rejects a cron expression with a step in the minutes",
      "cron(*/10 * * * ? *)",
      /more than once an hour/,
    ],
    ["rejects a cron expression with a list of minutes", "cron(0,30 * * * ? *)", /more than once an hour/],
    ["rejects a cron expression with a range of minutes", "cron(0-5 * * * ? *)", /more than once an hour/],
    ["rejects a minute past 59", "cron(60 * * * ? *)", /more than once an hour/],
    ["rejects a cron expression without six fields", "cron(0 3 * * *)", /6 fields/],
    ["rejects a cron expression without ? in either day field", "cron(0 3 * * * *)", /\?/],
    ["rejects anything else", "every day", /rate\(\.\.\.\)/],
  ];
  for (const [title, expression, problem] of table) {
    it(title, () => {
      const found = scheduleProblem(expression);
      if (problem === undefined) assert.equal(found, undefined);
      else assert.match(found ?? "", problem);
    });
  }
});

describe("core/schedule: rateSeconds", () => {
  const table: Array<[string, string, number | undefined]> = [
    ["reads hours", "rate(12 hours)", 43_200],
    ["reads minutes", "rate(90 minutes)", 5400],
    ["reads days", "rate(2 days)", 172_800],
    ["has no interval for cron expressions", "cron(0 3 * * ? *)", undefined],
  ];
  for (const [title, expression, seconds] of table)
    it(title, () => assert.equal(rateSeconds(expression), seconds));
});

describe("core/schedule: when definitions count as stale", () => {
  const table: Array<[string, string, number]> = [
    ["two days for the default twice-a-day schedule", "rate(12 hours)", 172_800],
    ["two missed runs and an hour for a weekly schedule", "rate(7 days)", 2 * 604_800 + 3600],
    ["two days for a cron schedule", "cron(17 */6 * * ? *)", 172_800],
  ];
  for (const [title, expression, seconds] of table)
    it(title, () => assert.equal(staleDefinitionsSeconds(expression), seconds));
});
