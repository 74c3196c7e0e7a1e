/**
 * Produces the AWS walkthrough's output in README.md ("Watching the backlog on AWS") without AWS: the
 * real command (cli/main's `run`, plain output as when stdout is not a terminal) with the real AWS
 * backend (cli/aws), whose S3 Control and S3 clients have `send` stubbed with sinon
 * (tests/cli/aws/fakes.ts) to answer as a 2,500-object job would. The requests are the backend's own;
 * the job's answers, and the clock (30 s per reading), are made up here.
 *
 *   npx tsx tests/cli/aws/readme-output.ts
 */
import type { CreateJobCommandInput, JobDescriptor } from "@aws-sdk/client-s3-control";
import { awsBackend } from "../../../cli/aws/backend";
import { type Backends, type Io, run } from "../../../cli/main";
import { definitionsVersion } from "../../../core/manifest";
import { fakeClients, OUTPUTS, objects, report } from "./fakes";

const JOB_ID = "5f0c6a3e-8d21-4a57-b0d4-7c9e2f41a6b8";
const total = 2500;
const active = (done: number, failed = 0): JobDescriptor => ({
  JobId: JOB_ID,
  Status: "Active",
  ProgressSummary: {
    TotalNumberOfTasks: total,
    NumberOfTasksSucceeded: done - failed,
    NumberOfTasksFailed: failed,
  },
});
const jobs: JobDescriptor[] = [
  { JobId: JOB_ID, Status: "New" },
  { JobId: JOB_ID, Status: "Preparing" },
  active(0),
  active(640),
  active(1390, 2),
  active(2155, 3),
  {
    JobId: JOB_ID,
    Status: "Complete",
    ProgressSummary: { TotalNumberOfTasks: total, NumberOfTasksSucceeded: total - 4, NumberOfTasksFailed: 4 },
  },
];
const rows = [
  ...Array.from({ length: total - 9 }, (_, i) => `acme-uploads,photos/${i}.jpg,v1,succeeded,200,,clean`),
  "acme-uploads,inbox/eicar.com,v1,succeeded,200,,infected:Eicar-Signature",
  "acme-uploads,inbox/invoice.doc,v2,succeeded,200,,infected:Doc.Dropper.Agent-1540415",
  "acme-uploads,inbox/setup.exe,v1,succeeded,200,,infected:Win.Trojan.Agent-36908",
  "acme-uploads,archive/2019.rar,v1,succeeded,200,,unscannable:Bucketwarden.Unscannable.Rar",
  "acme-uploads,archive/big.tar,v1,succeeded,200,,limits-exceeded:Heuristics.Limits.Exceeded.MaxFileSize",
  ...["a", "b", "c", "d"].map(
    (k) => `acme-uploads,tmp/${k}.part,v1,failed,200,PermanentFailure,skipped:deleted`,
  ),
];

/** A published definitions manifest, as the updater writes it under the default prefix. */
function definitions(): Record<string, string> {
  const files = ["main.cvd", "daily.cvd", "bytecode.cvd"].map((name, i) => ({
    name,
    sha256: String(i + 1).repeat(64),
    size: 1000 + i,
  }));
  const at = "2026-11-26T06:00:00.000Z";
  const manifest = {
    formatVersion: 1,
    version: definitionsVersion(files),
    updatedAt: at,
    checkedAt: at,
    engine: "ClamAV 1.4.6",
    files,
  };
  return { [`${OUTPUTS.definitionsBucketName}/clamav/manifest.json`]: JSON.stringify(manifest) };
}

/** stdout as a pipe sees it; `onLine` sees every line (to press Ctrl-C at a chosen one). */
function plainIo(onLine: (line: string) => void = () => {}): Io {
  let t = 0;
  return {
    out: (text) => {
      console.log(text);
      onLine(text);
    },
    err: (text) => console.log(text),
    write: (text) => process.stdout.write(text),
    isTTY: false,
    now: () => (t += 30_000),
  };
}

async function main(): Promise<void> {
  let described = 0;
  let unfinished: unknown[] = [];
  const clients = fakeClients({
    ListJobsCommand: (input) =>
      input.JobStatuses?.includes("Complete")
        ? {
            Jobs: [
              {
                JobId: JOB_ID,
                Status: "Complete",
                Description: "bucketwarden scan-existing s3://acme-uploads/",
                TerminationDate: new Date(),
              },
            ],
          }
        : { Jobs: unfinished },
    CreateJobCommand: () => ({ JobId: JOB_ID }),
    DescribeJobCommand: () => ({ Job: jobs[Math.min(described++, jobs.length - 1)] }),
    GetObjectCommand: objects({ ...report(JOB_ID, rows), ...definitions() }),
  });
  const backends: Backends = {
    local: async () => {
      throw new Error("AWS only");
    },
    aws: async (options) =>
      awsBackend({
        ...options,
        outputs: OUTPUTS,
        s3Control: clients.s3Control,
        s3: clients.s3,
        sleep: async () => {},
        // The command names each start with a random UUID; a fixed one keeps this output the same.
        runId: () => "readme-example",
      }),
  };
  const command = async (argv: string[], io: Io, signal = new AbortController().signal) => {
    console.log(`$ npx bucketwarden ${argv.join(" ")}`);
    const code = await run(argv, io, backends, signal);
    console.log(`(exit ${code})`);
  };

  // Interrupted after its second progress line, as Ctrl-C would: the job goes on.
  const ctrlC = new AbortController();
  let progressLines = 0;
  await command(
    ["scan-existing", "acme-uploads"],
    plainIo((line) => {
      if (line.startsWith("progress:") && ++progressLines === 2) ctrlC.abort();
    }),
    ctrlC.signal,
  );
  const create = clients.sent.find((s) => s.name === "CreateJobCommand")?.input as CreateJobCommandInput;

  console.log("");
  unfinished = [{ JobId: JOB_ID, Status: "Active", Description: create.Description }];
  await command(["scan-existing", "acme-uploads"], plainIo());

  console.log("");
  unfinished = [];
  await command(["status", "acme-uploads"], plainIo());

  console.log("\nCreateJob request:");
  console.log(JSON.stringify(create, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
