import assert from "node:assert/strict";
import { type Invocation, parseArgs } from "../../cli/args";
import { UsageError } from "../../cli/errors";

describe("cli/args: the command line", () => {
  const accepted: Array<[string, string[], Invocation]> = [
    ["shows help with no arguments", [], { command: "help" }],
    ["shows help for --help anywhere", ["status", "--help"], { command: "help" }],
    ["shows help for -h", ["-h"], { command: "help" }],
    [
      "scans the backlog of a bucket on AWS",
      ["scan-existing", "photos"],
      { command: "scan-existing", bucket: "photos", local: false, strict: false },
    ],
    [
      "rescans a window given as --since 24h",
      ["rescan", "photos", "--since", "24h"],
      { command: "rescan", bucket: "photos", sinceMs: 86_400_000, local: false, strict: false },
    ],
    [
      "reads --since=90m written with an equals sign",
      ["rescan", "--since=90m", "photos"],
      { command: "rescan", bucket: "photos", sinceMs: 5_400_000, local: false, strict: false },
    ],
    [
      "takes --local before or after the command",
      ["--local", "status", "photos"],
      { command: "status", bucket: "photos", local: true, strict: false },
    ],
    [
      "adopts strictly with protect --local --strict",
      ["protect", "--local", "--strict", "photos"],
      { command: "protect", bucket: "photos", local: true, strict: true },
    ],
    [
      "runs the updater with update --local",
      ["update", "--local"],
      { command: "update", local: true, strict: false },
    ],
    [
      "names an AWS stack with --stack",
      ["status", "photos", "--stack", "dev"],
      { command: "status", bucket: "photos", local: false, strict: false, stack: "dev" },
    ],
    [
      "reads the AWS stack's outputs from a file with --outputs",
      ["status", "photos", "--outputs", "outputs.json"],
      { command: "status", bucket: "photos", local: false, strict: false, outputs: "outputs.json" },
    ],
    [
      "scans from an S3 Inventory manifest with --inventory",
      ["scan-existing", "photos", "--inventory", "s3://inv/photos/manifest.json"],
      {
        command: "scan-existing",
        bucket: "photos",
        local: false,
        strict: false,
        inventory: "s3://inv/photos/manifest.json",
      },
    ],
  ];
  for (const [name, argv, expected] of accepted) it(name, () => assert.deepEqual(parseArgs(argv), expected));

  const refused: Array<[string, string[], RegExp]> = [
    ["refuses an unknown command", ["scan", "photos"], /unknown command "scan"/],
    ["refuses a missing bucket", ["scan-existing"], /scan-existing needs a bucket/],
    ["refuses a second bucket", ["status", "a-bucket", "b-bucket"], /unexpected argument "b-bucket"/],
    ["refuses a bucket name S3 would refuse", ["status", "My_Bucket"], /bucket "My_Bucket" may hold only/],
    ["refuses a duration without a unit", ["rescan", "photos", "--since", "24"], /not a duration/],
    ["refuses a zero duration", ["rescan", "photos", "--since", "0h"], /longer than zero/],
    ["refuses --since without a value", ["rescan", "photos", "--since"], /--since needs a value/],
    ["refuses --since on scan-existing", ["scan-existing", "photos", "--since", "1h"], /rescan only/],
    ["refuses protect without --local", ["protect", "photos"], /local pipeline only/],
    ["refuses update without --local", ["update"], /local pipeline only/],
    ["refuses --strict outside protect", ["status", "photos", "--strict"], /protect only/],
    ["refuses an unknown option", ["status", "photos", "--fast"], /unknown option "--fast"/],
    [
      "refuses --stack with --local",
      ["status", "photos", "--local", "--stack", "dev"],
      /does not go with --local/,
    ],
    [
      "refuses --outputs with --local",
      ["status", "photos", "--local", "--outputs", "o.json"],
      /neither --local/,
    ],
    [
      "refuses --outputs with --stack",
      ["status", "photos", "--stack", "dev", "--outputs", "o.json"],
      /nor --stack/,
    ],
    [
      "refuses --inventory on status",
      ["status", "photos", "--inventory", "s3://i/m.json"],
      /scan-existing and rescan/,
    ],
  ];
  for (const [name, argv, message] of refused)
    it(name, () =>
      assert.throws(
        () => parseArgs(argv),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      ),
    );
});
