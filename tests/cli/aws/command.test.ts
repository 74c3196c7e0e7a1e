import assert from "node:assert/strict";
import { join } from "node:path";
import sinon from "sinon";
import { awsBackend } from "../../../cli/aws/backend";
import { MissingOutputsError } from "../../../cli/aws/errors";
import * as awsIndex from "../../../cli/aws/index";
import { type AwsOptions, type Backends, defaultBackends, type Io, run } from "../../../cli/main";
import { fakeClients, OUTPUTS, objects, report } from "./fakes";

/** Plain (not a terminal) output, each clock reading 10 s after the last. */
function io(): Io & { stdout: string[]; stderr: string[] } {
  let t = 0;
  const c = {
    stdout: [] as string[],
    stderr: [] as string[],
    out: (s: string) => c.stdout.push(s),
    err: (s: string) => c.stderr.push(s),
    write: (s: string) => c.stdout.push(s),
    isTTY: false,
    now: () => (t += 10_000),
  };
  return c;
}

afterEach(() => sinon.restore());

describe("cli/aws: the bucketwarden command on AWS", () => {
  it("exports the factory cli/main loads by path", () => assert.equal(awsIndex.awsBackend, awsBackend));

  it("loads cli/aws's backend and hands it --outputs", async () => {
    const missing = join(__dirname, "no-such-outputs.json");
    await assert.rejects(
      run(
        ["status", "acme-uploads", "--outputs", missing],
        io(),
        defaultBackends,
        new AbortController().signal,
      ),
      (e: unknown) => e instanceof MissingOutputsError && e.message.includes(missing),
    );
  });

  it("starts the job, prints its progress and ends with the report's summary", async () => {
    let described = 0;
    const given: AwsOptions[] = [];
    const clients = fakeClients({
      ListJobsCommand: () => ({ Jobs: [] }),
      CreateJobCommand: () => ({ JobId: "job-1" }),
      DescribeJobCommand: () => {
        const job =
          described++ === 0
            ? { Status: "Active", ProgressSummary: { TotalNumberOfTasks: 2, NumberOfTasksSucceeded: 1 } }
            : { Status: "Complete", ProgressSummary: { TotalNumberOfTasks: 2, NumberOfTasksSucceeded: 2 } };
        return { Job: job };
      },
      GetObjectCommand: objects(
        report("job-1", [
          "acme-uploads,a,,succeeded,200,,clean",
          "acme-uploads,b,,succeeded,200,,infected:Eicar-Signature",
        ]),
      ),
    });
    const backends: Backends = {
      local: async () => assert.fail("not local"),
      aws: async (options) => {
        given.push(options);
        return awsBackend({
          outputs: OUTPUTS,
          s3Control: clients.s3Control,
          s3: clients.s3,
          sleep: async () => {},
        });
      },
    };
    const out = io();
    const code = await run(
      ["scan-existing", "acme-uploads", "--stack", "prod"],
      out,
      backends,
      new AbortController().signal,
    );
    assert.equal(code, 0);
    assert.deepEqual(given, [{ stack: "prod" }]);
    const text = out.stdout.join("\n");
    assert.match(text, /Started the .* of acme-uploads \(run job-1\)/);
    assert.match(text, /progress: 1\/2/);
    assert.match(text, /clean:\s+1/);
    assert.match(text, /infected:\s+1/);
    assert.match(text, /report:\s+s3:\/\/bw-backlog-reports-1a2b3c\/reports\/job-job-1\/manifest\.json/);
  });
});
