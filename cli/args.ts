/**
 * The `bucketwarden` command line, parsed into what to do. Pure: no process, no backend, so that
 * every accepted and refused form is a row in a table test.
 */
import { bucketNameProblem } from "../core/naming";
import { parseDuration } from "./duration";
import { UsageError } from "./errors";

/** The commands, and whether each needs a bucket and local mode. */
export const Commands = {
  "scan-existing": { bucket: true, localOnly: false },
  rescan: { bucket: true, localOnly: false },
  status: { bucket: true, localOnly: false },
  protect: { bucket: true, localOnly: true },
  update: { bucket: false, localOnly: true },
} as const;
export type CommandName = keyof typeof Commands;

/** What the person asked for. */
export type Invocation =
  | { command: "help" }
  | {
      command: CommandName;
      /** The bucket the command works on; absent only for `update`. */
      bucket?: string;
      /** `rescan --since`: objects created within this many milliseconds. */
      sinceMs?: number;
      /** `--local`: the local pipeline (npm start) rather than AWS. */
      local: boolean;
      /** `protect --strict`: pre-existing objects are unreadable until scanned. */
      strict: boolean;
      /** `--stack <name>`: the Pulumi stack whose outputs name the AWS resources. */
      stack?: string;
      /** `--outputs <file>`: the stack's outputs as `pulumi stack output --json` prints them (AWS). */
      outputs?: string;
      /** `--inventory <s3 uri>`: an S3 Inventory manifest.json to scan from instead of a listing (AWS). */
      inventory?: string;
    };

export const USAGE = `Usage: bucketwarden <command> [options]

Commands:
  scan-existing <bucket>            scan every object version that has no verdict yet, and follow it
  rescan <bucket> [--since <dur>]   rescan objects created within <dur> (e.g. 24h, 7d; default: all)
  status <bucket>                   object versions by verdict, definitions version, unfinished runs
  protect --local <bucket>          adopt a bucket of the local store (rule, notifications, backlog scan)
  update --local                    run the definitions updater now; rescans if signatures were added

Options:
  --local           use the local pipeline started by \`npm start\` instead of AWS
  --since <dur>     rescan window: a number and a unit (s, m, h, d, w), e.g. 90m, 24h, 1h30m
  --strict          protect: pre-existing objects are unreadable until their verdict (default: they
                    stay readable, marked pending, until the backlog scan gives them one)
  --stack <name>    AWS: the Pulumi stack whose outputs to read
  --outputs <file>  AWS: read the stack's outputs from this file (\`pulumi stack output --json\`'s)
  --inventory <uri> AWS: scan from this S3 Inventory manifest.json (s3://...) instead of a listing
  -h, --help        this text

Ctrl-C stops following a run; the run goes on, and the same command follows it again.`;

/** Parses `argv` (without node and the script); throws {@link UsageError} on anything it does not know. */
export function parseArgs(argv: readonly string[]): Invocation {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h") || argv[0] === "help")
    return { command: "help" };
  const positional: string[] = [];
  let local = false;
  let strict = false;
  let since: string | undefined;
  let stack: string | undefined;
  let outputs: string | undefined;
  let inventory: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith("--") && a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith("-")))
        throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--local") local = true;
    else if (flag === "--strict") strict = true;
    else if (flag === "--since") since = value();
    else if (flag === "--stack") stack = value();
    else if (flag === "--outputs") outputs = value();
    else if (flag === "--inventory") inventory = value();
    else if (a.startsWith("-")) throw new UsageError(`unknown option "${a}"`);
    else positional.push(a);
  }
  const [name, ...rest] = positional;
  if (!Object.hasOwn(Commands, name))
    throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(Commands).join(", ")}`);
  const command = name as CommandName;
  const spec = Commands[command];
  if (spec.localOnly && !local)
    throw new UsageError(
      `${command} works on the local pipeline only: write \`bucketwarden ${command} --local\``,
    );
  if (spec.bucket && rest.length === 0)
    throw new UsageError(`${command} needs a bucket: bucketwarden ${command} <bucket>`);
  if (rest.length > (spec.bucket ? 1 : 0))
    throw new UsageError(`${command}: unexpected argument "${rest[spec.bucket ? 1 : 0]}"`);
  const problem = spec.bucket ? bucketNameProblem(rest[0]) : undefined;
  if (problem) throw new UsageError(`bucket "${rest[0]}" ${problem}`);
  if (since !== undefined && command !== "rescan") throw new UsageError(`--since applies to rescan only`);
  if (strict && command !== "protect") throw new UsageError(`--strict applies to protect only`);
  if (stack !== undefined && local)
    throw new UsageError(`--stack names an AWS stack; it does not go with --local`);
  if (outputs !== undefined && (local || stack !== undefined))
    throw new UsageError(
      `--outputs replaces the AWS stack's outputs; it goes with neither --local nor --stack`,
    );
  if (inventory !== undefined && (local || (command !== "scan-existing" && command !== "rescan")))
    throw new UsageError(`--inventory applies to scan-existing and rescan on AWS only`);
  return {
    command,
    ...(spec.bucket ? { bucket: rest[0] } : {}),
    ...(since !== undefined ? { sinceMs: parseDuration(since, "--since") } : {}),
    local,
    strict,
    ...(stack !== undefined ? { stack } : {}),
    ...(outputs !== undefined ? { outputs } : {}),
    ...(inventory !== undefined ? { inventory } : {}),
  };
}
