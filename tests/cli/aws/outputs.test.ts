import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingOutputsError } from "../../../cli/aws/errors";
import {
  accountOfArn,
  loadStackOutputs,
  parseStackOutputs,
  partitionOfArn,
  regionOfArn,
} from "../../../cli/aws/outputs";
import { OUTPUTS } from "./fakes";

/** The outputs with one change, as `pulumi stack output --json` would print them. */
function outputsWith(change: (o: Record<string, unknown>) => void): Record<string, unknown> {
  const o = JSON.parse(JSON.stringify({ ...OUTPUTS, updaterFunctionName: "bw-updater" }));
  change(o);
  return o;
}

describe("cli/aws outputs: parseStackOutputs", () => {
  it("keeps what the CLI reads from the stack's outputs", () =>
    assert.deepEqual(parseStackOutputs(outputsWith(() => {})), OUTPUTS));

  it("makes the report bucket's ARN from its name for a stack that exports none", () => {
    const parsed = parseStackOutputs(
      outputsWith((o) => delete (o.backlogScanning as Record<string, unknown>).reportBucketArn),
    );
    assert.equal(parsed.backlogScanning.reportBucketArn, "arn:aws:s3:::bw-backlog-reports-1a2b3c");
  });

  const missing: Array<[string, (o: Record<string, unknown>) => void, string]> = [
    ["refuses a stack without backlog scanning", (o) => delete o.backlogScanning, "backlogScanning"],
    [
      "refuses outputs without the job role",
      (o) => delete (o.backlogScanning as Record<string, unknown>).jobRoleArn,
      "backlogScanning.jobRoleArn",
    ],
    ["refuses outputs without upload buckets", (o) => (o.uploadBucketNames = {}), "uploadBucketNames"],
    [
      "refuses a scanner ARN that is not a string",
      (o) => ((o.backlogScanning as { scannerFunctionArns: unknown }).scannerFunctionArns = { uploads: 7 }),
      "backlogScanning.scannerFunctionArns.uploads",
    ],
  ];
  for (const [title, change, output] of missing)
    it(title, () =>
      assert.throws(
        () => parseStackOutputs(outputsWith(change)),
        (e: unknown) => e instanceof MissingOutputsError && e.output === output,
      ),
    );
});

describe("cli/aws outputs: loadStackOutputs", () => {
  it("asks the Pulumi CLI for the named stack's outputs as JSON", async () => {
    const calls: string[][] = [];
    const outputs = await loadStackOutputs({
      stack: "acme/prod",
      runPulumi: async (args) => {
        calls.push(args);
        return JSON.stringify(OUTPUTS);
      },
    });
    assert.deepEqual(calls, [["stack", "output", "--json", "--stack", "acme/prod"]]);
    assert.deepEqual(outputs, OUTPUTS);
  });

  it("reads the outputs from a file given with --outputs", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "bw-outputs-")), "outputs.json");
    await writeFile(file, JSON.stringify(OUTPUTS));
    assert.deepEqual(await loadStackOutputs({ outputsFile: file }), OUTPUTS);
  });

  it("says how to do without the Pulumi CLI when it cannot run", async () => {
    await assert.rejects(
      loadStackOutputs({
        runPulumi: async () => {
          throw Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" });
        },
      }),
      (e: unknown) =>
        e instanceof MissingOutputsError && /--outputs <file>/.test(e.message) && e.cause instanceof Error,
    );
  });

  it("refuses an answer that is not JSON", async () =>
    assert.rejects(
      loadStackOutputs({ runPulumi: async () => "error: no stack selected" }),
      MissingOutputsError,
    ));
});

describe("cli/aws outputs: reading ARNs", () => {
  it("reads the account, region and partition an ARN names", () => {
    assert.equal(accountOfArn("arn:aws:iam::123456789012:role/r"), "123456789012");
    assert.equal(accountOfArn("arn:aws:s3:::bucket"), undefined);
    assert.equal(regionOfArn("arn:aws:lambda:eu-west-1:123456789012:function:f"), "eu-west-1");
    assert.equal(regionOfArn("arn:aws:iam::123456789012:role/r"), undefined);
    assert.equal(partitionOfArn("arn:aws-cn:iam::123456789012:role/r"), "aws-cn");
  });
});
