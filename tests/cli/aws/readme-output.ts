/**
 * Produces the AWS walkthrough's output in README.md ("Watching the backlog on AWS") without AWS:
 * the real AWS backend (cli/aws) runs against S3 Control and S3 clients whose `send` is stubbed with
 * sinon (tests/cli/aws/fakes.ts) to answer as a 2,500-object job would. What it prints is what the
 * backend returns and the CreateJob request it sends; the job's answers are made up here.
 *
 *   npx tsx tests/cli/aws/readme-output.ts
 */
import type { CreateJobCommandInput, JobDescriptor } from "@aws-sdk/client-s3-control";
import { awsBackend } from "../../../cli/aws/backend";
import type { BacklogProgress } from "../../../cli/backend";
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

function line(p: BacklogProgress): string {
  const of = p.total === undefined ? "?" : String(p.total);
  return `${p.status.padEnd(9)} ${String(p.processed).padStart(5)} / ${of} objects, ${p.failed} failed`;
}

async function main(): Promise<void> {
  let n = 0;
  let listed: unknown[] = [];
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
        : { Jobs: listed },
    CreateJobCommand: () => ({ JobId: JOB_ID }),
    DescribeJobCommand: () => ({ Job: jobs[Math.min(n++, jobs.length - 1)] }),
    GetObjectCommand: objects({ ...report(JOB_ID, rows), ...definitions() }),
  });
  const backend = awsBackend({
    outputs: OUTPUTS,
    s3Control: clients.s3Control,
    s3: clients.s3,
    sleep: async () => {},
  });

  console.log("$ npx bucketwarden scan-existing acme-uploads   # first run");
  const job = await backend.start({ kind: "scan-existing", bucket: "acme-uploads" });
  console.log(`job ${job.id} (resumed: ${job.resumed})`);
  const create = clients.sent.find((s) => s.name === "CreateJobCommand")?.input as CreateJobCommandInput;
  console.log("CreateJob request:");
  console.log(JSON.stringify(create, null, 2));
  const controller = new AbortController();
  const summary = await backend.follow(job, (p) => console.log(line(p)), controller.signal);
  console.log("summary:", JSON.stringify(summary, null, 2));

  console.log("\n$ npx bucketwarden scan-existing acme-uploads   # again, while the job is still running");
  listed = [{ JobId: JOB_ID, Status: "Active", Description: create.Description }];
  const again = await backend.start({ kind: "scan-existing", bucket: "acme-uploads" });
  console.log(`job ${again.id} (resumed: ${again.resumed})`);

  console.log("\n$ npx bucketwarden status acme-uploads");
  listed = [];
  console.log(JSON.stringify(await backend.status("acme-uploads"), null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
