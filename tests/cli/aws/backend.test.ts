import assert from "node:assert/strict";
import {
  CreateJobCommand,
  type CreateJobCommandInput,
  DescribeJobCommand,
  type DescribeJobCommandInput,
  type JobDescriptor,
} from "@aws-sdk/client-s3-control";
import sinon from "sinon";
import { type AwsBackendOptions, awsBackend } from "../../../cli/aws/backend";
import {
  AwsAccessDeniedError,
  AwsCredentialsError,
  BacklogJobEndedError,
  FollowStoppedError,
  UnknownBucketError,
} from "../../../cli/aws/errors";
import type { BacklogProgress } from "../../../cli/backend";
import { backlogCreateJobRequest, UNFINISHED_JOB_STATUSES } from "../../../core/backlog-job";
import { ConfigError } from "../../../core/errors";
import { definitionsVersion } from "../../../core/manifest";
import { ACCOUNT, awsError, fakeClients, OUTPUTS, objects, report } from "./fakes";

const NOW = new Date("2026-11-26T18:00:00.000Z");
const NO_WAIT = { initialMs: 0, maxMs: 0, factor: 1 };

function backend(clients: ReturnType<typeof fakeClients>, over: Partial<AwsBackendOptions> = {}) {
  return awsBackend({
    outputs: OUTPUTS,
    s3Control: clients.s3Control,
    s3: clients.s3,
    runId: () => "run-1",
    now: () => NOW,
    poll: NO_WAIT,
    ...over,
  });
}

/** DescribeJob answers, one per call, the last repeated. */
function describeSequence(jobs: JobDescriptor[]) {
  let i = 0;
  return () => ({ Job: jobs[Math.min(i++, jobs.length - 1)] });
}

afterEach(() => sinon.restore());

describe("cli/aws backend: start", () => {
  it("creates the job core/backlog-job builds for the bucket, from the stack's outputs", async () => {
    const clients = fakeClients({
      ListJobsCommand: () => ({ Jobs: [] }),
      CreateJobCommand: () => ({ JobId: "job-1" }),
    });
    const job = await backend(clients).start({ kind: "scan-existing", bucket: "acme-media" });
    assert.deepEqual(job, {
      id: "job-1",
      request: { kind: "scan-existing", bucket: "acme-media" },
      resumed: false,
    });
    assert.deepEqual(clients.names(), ["ListJobsCommand", "CreateJobCommand"]);
    const create = clients.sent[1];
    assert.ok(create?.command instanceof CreateJobCommand);
    const expected: CreateJobCommandInput = backlogCreateJobRequest({
      accountId: ACCOUNT,
      bucket: "acme-media",
      scannerFunctionArn: OUTPUTS.backlogScanning.scannerFunctionArns.media as string,
      jobRoleArn: OUTPUTS.backlogScanning.jobRoleArn,
      reportBucketArn: OUTPUTS.backlogScanning.reportBucketArn,
      reportPrefix: "reports/",
      manifestPrefix: "manifests/",
      kind: "scan-existing",
      manifest: { type: "generated" },
      runId: "run-1",
    });
    assert.deepEqual(create?.input, expected);
    // The account comes from the role's ARN, the scanner is the media bucket's own.
    const input = create?.input as CreateJobCommandInput;
    assert.equal(input.AccountId, ACCOUNT);
    assert.equal(
      input.Operation?.LambdaInvoke?.FunctionArn,
      OUTPUTS.backlogScanning.scannerFunctionArns.media,
    );
  });

  it("rescans objects created within --since of now", async () => {
    const clients = fakeClients({
      ListJobsCommand: () => ({ Jobs: [] }),
      CreateJobCommand: () => ({ JobId: "job-2" }),
    });
    await backend(clients).start({ kind: "rescan", bucket: "acme-uploads", sinceMs: 3_600_000 });
    const input = clients.sent[1]?.input as CreateJobCommandInput;
    assert.deepEqual(input.ManifestGenerator?.S3JobManifestGenerator?.Filter, {
      CreatedAfter: new Date("2026-11-26T17:00:00.000Z"),
    });
    assert.deepEqual(input.Operation?.LambdaInvoke?.UserArguments, { mode: "rescan" });
  });

  it("follows the unfinished job for the same bucket and kind instead of starting another", async () => {
    const pages: Record<string, unknown> = {
      first: {
        Jobs: [
          { JobId: "other", Status: "Active", Description: "bucketwarden scan-existing s3://acme-media/" },
        ],
        NextToken: "page-2",
      },
      "page-2": {
        Jobs: [
          { JobId: "mine", Status: "Paused", Description: "bucketwarden scan-existing s3://acme-uploads/" },
        ],
      },
    };
    const clients = fakeClients({ ListJobsCommand: (input) => pages[input.NextToken ?? "first"] });
    const job = await backend(clients).start({ kind: "scan-existing", bucket: "acme-uploads" });
    assert.deepEqual(job, {
      id: "mine",
      request: { kind: "scan-existing", bucket: "acme-uploads" },
      resumed: true,
    });
    assert.deepEqual(clients.names(), ["ListJobsCommand", "ListJobsCommand"]);
    assert.deepEqual(clients.sent[0]?.input, {
      AccountId: ACCOUNT,
      JobStatuses: UNFINISHED_JOB_STATUSES,
      MaxResults: 1000,
    });
  });

  it("refuses a bucket the stack does not protect, naming the ones it does, before any AWS call", async () => {
    const clients = fakeClients({});
    await assert.rejects(
      backend(clients).start({ kind: "scan-existing", bucket: "someone-elses" }),
      (e: unknown) =>
        e instanceof UnknownBucketError &&
        /acme-media, acme-uploads/.test(e.message) &&
        e.bucket === "someone-elses",
    );
    assert.deepEqual(clients.names(), []);
  });

  it("says which permission is missing when CreateJob is denied", async () => {
    const denied = awsError("AccessDenied", 403, "User is not authorized to perform s3:CreateJob");
    const clients = fakeClients({
      ListJobsCommand: () => ({ Jobs: [] }),
      CreateJobCommand: () => {
        throw denied;
      },
    });
    await assert.rejects(
      backend(clients).start({ kind: "scan-existing", bucket: "acme-uploads" }),
      (e: unknown) =>
        e instanceof AwsAccessDeniedError && e.operation === "s3:CreateJob" && e.cause === denied,
    );
  });
});

const scanJob = {
  id: "job-9",
  request: { kind: "scan-existing" as const, bucket: "acme-uploads" },
  resumed: false,
};

describe("cli/aws backend: credentials", () => {
  it("says how to give credentials when the SDK finds none", async () => {
    const clients = fakeClients({
      ListJobsCommand: () => {
        throw Object.assign(new Error("Could not load credentials from any providers"), {
          name: "CredentialsProviderError",
        });
      },
    });
    await assert.rejects(
      backend(clients).start({ kind: "scan-existing", bucket: "acme-uploads" }),
      (e: unknown) =>
        e instanceof AwsCredentialsError && /AWS_PROFILE/.test(e.message) && e.cause instanceof Error,
    );
  });
});

describe("cli/aws backend: follow", () => {
  it("reports progress from DescribeJob until the job completes, then sums up its report", async () => {
    const clients = fakeClients({
      DescribeJobCommand: describeSequence([
        { JobId: "job-9", Status: "Preparing" },
        {
          JobId: "job-9",
          Status: "Active",
          ProgressSummary: { TotalNumberOfTasks: 4, NumberOfTasksSucceeded: 2 },
        },
        {
          JobId: "job-9",
          Status: "Complete",
          ProgressSummary: { TotalNumberOfTasks: 4, NumberOfTasksSucceeded: 3, NumberOfTasksFailed: 1 },
        },
      ]),
      GetObjectCommand: objects(
        report("job-9", [
          "acme-uploads,a.txt,v1,succeeded,200,,clean",
          "acme-uploads,eicar.com,v1,succeeded,200,,infected:Eicar-Signature",
          "acme-uploads,secret.rar,v1,succeeded,200,,unscannable:Bucketwarden.Unscannable.Rar",
          "acme-uploads,gone.txt,v2,failed,200,PermanentFailure,skipped:deleted",
        ]),
      ),
    });
    const seen: BacklogProgress[] = [];
    const summary = await backend(clients).follow(scanJob, (p) => seen.push(p), new AbortController().signal);
    assert.deepEqual(seen, [
      { total: undefined, processed: 0, failed: 0, status: "Preparing" },
      { total: 4, processed: 2, failed: 0, status: "Active" },
      { total: 4, processed: 4, failed: 1, status: "Complete" },
    ]);
    assert.deepEqual(summary, {
      scanned: 3,
      clean: 1,
      infected: 1,
      unscannable: 1,
      failed: 1,
      alreadyScanned: 0,
      report: "s3://bw-backlog-reports-1a2b3c/reports/job-job-9/manifest.json",
    });
    const describe = clients.sent.find((s) => s.name === "DescribeJobCommand");
    assert.ok(describe?.command instanceof DescribeJobCommand);
    const expected: DescribeJobCommandInput = { AccountId: ACCOUNT, JobId: "job-9" };
    assert.deepEqual(describe?.input, expected);
  });

  it("reads the report from report.json when there is no manifest.json", async () => {
    const files = report("job-9", ["acme-uploads,a.txt,,succeeded,200,,clean"]);
    const bucket = OUTPUTS.backlogScanning.reportBucketName;
    files[`${bucket}/reports/job-job-9/report.json`] = files[
      `${bucket}/reports/job-job-9/manifest.json`
    ] as string;
    delete files[`${bucket}/reports/job-job-9/manifest.json`];
    const clients = fakeClients({
      DescribeJobCommand: () => ({ Job: { Status: "Complete" } }),
      GetObjectCommand: objects(files),
    });
    const summary = await backend(clients).follow(scanJob, () => {}, new AbortController().signal);
    assert.equal(summary.clean, 1);
    assert.equal(summary.report, `s3://${bucket}/reports/job-job-9/report.json`);
  });

  it("says so when a completed job wrote no report because it had no task", async () => {
    const clients = fakeClients({
      DescribeJobCommand: () => ({ Job: { Status: "Complete", ProgressSummary: { TotalNumberOfTasks: 0 } } }),
      GetObjectCommand: objects({}),
    });
    const summary = await backend(clients).follow(scanJob, () => {}, new AbortController().signal);
    assert.equal(summary.scanned, 0);
    assert.match(summary.report, /^none: job job-9 invoked no task/);
  });

  it("ends with the job's failure reasons when the job failed", async () => {
    const clients = fakeClients({
      DescribeJobCommand: () => ({
        Job: {
          Status: "Failed",
          FailureReasons: [
            { FailureCode: "Manifest403", FailureReason: "Reading the manifest is forbidden" },
          ],
        },
      }),
    });
    await assert.rejects(
      backend(clients).follow(scanJob, () => {}, new AbortController().signal),
      (e: unknown) =>
        e instanceof BacklogJobEndedError &&
        e.status === "Failed" &&
        e.reasons === "Manifest403: Reading the manifest is forbidden",
    );
  });

  it("ends with an error when the job was cancelled", async () => {
    const clients = fakeClients({
      DescribeJobCommand: () => ({
        Job: { Status: "Cancelled", StatusUpdateReason: "cancelled in the console" },
      }),
    });
    await assert.rejects(
      backend(clients).follow(scanJob, () => {}, new AbortController().signal),
      (e: unknown) => e instanceof BacklogJobEndedError && e.status === "Cancelled",
    );
  });

  it("stops polling when aborted while it waits, leaving the job running", async () => {
    const clients = fakeClients({ DescribeJobCommand: () => ({ Job: { Status: "Active" } }) });
    const controller = new AbortController();
    // A wait far longer than any test: only the abort can end it.
    const following = backend(clients, { poll: { initialMs: 600_000, maxMs: 600_000, factor: 1 } }).follow(
      scanJob,
      () => setImmediate(() => controller.abort()),
      controller.signal,
    );
    await assert.rejects(following, (e: unknown) => e instanceof FollowStoppedError && e.jobId === "job-9");
    assert.deepEqual(clients.names(), ["DescribeJobCommand"]);
    assert.ok(!clients.names().includes("UpdateJobStatusCommand"));
  });

  it("does not ask again once aborted before the first answer", async () => {
    const clients = fakeClients({ DescribeJobCommand: () => ({ Job: { Status: "Active" } }) });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      backend(clients).follow(scanJob, () => {}, controller.signal),
      (e: unknown) => e instanceof FollowStoppedError,
    );
    assert.deepEqual(clients.names(), []);
  });

  it("waits longer while the job stands still, and no longer than the cap", async () => {
    const waits: number[] = [];
    const still: JobDescriptor = {
      Status: "Active",
      ProgressSummary: { TotalNumberOfTasks: 10, NumberOfTasksSucceeded: 1 },
    };
    const clients = fakeClients({
      DescribeJobCommand: describeSequence([
        still,
        still,
        still,
        still,
        { Status: "Active", ProgressSummary: { TotalNumberOfTasks: 10, NumberOfTasksSucceeded: 5 } },
        { Status: "Complete" },
      ]),
      GetObjectCommand: objects({}),
    });
    await backend(clients, {
      poll: { initialMs: 100, maxMs: 300, factor: 2 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    }).follow(scanJob, () => {}, new AbortController().signal);
    assert.deepEqual(waits, [100, 200, 300, 300, 100]);
  });
});

describe("cli/aws backend: status", () => {
  it("counts verdicts from the newest completed report and lists the unfinished jobs", async () => {
    const files = [{ name: "main.cvd", sha256: "a".repeat(64), size: 1 }];
    const manifest = JSON.stringify({
      formatVersion: 1,
      version: definitionsVersion(files),
      updatedAt: NOW.toISOString(),
      checkedAt: NOW.toISOString(),
      engine: "ClamAV 1.4.6",
      files,
    });
    const clients = fakeClients({
      ListJobsCommand: (input) =>
        input.JobStatuses?.includes("Complete")
          ? {
              Jobs: [
                {
                  JobId: "old",
                  Status: "Complete",
                  Description: "bucketwarden scan-existing s3://acme-uploads/",
                  TerminationDate: new Date(1000),
                },
                {
                  JobId: "new",
                  Status: "Complete",
                  Description: "bucketwarden rescan s3://acme-uploads/ since 2026-11-25T18:00:00.000Z",
                  TerminationDate: new Date(2000),
                },
                {
                  JobId: "media",
                  Status: "Complete",
                  Description: "bucketwarden scan-existing s3://acme-media/",
                  TerminationDate: new Date(3000),
                },
              ],
            }
          : {
              Jobs: [
                {
                  JobId: "running",
                  Status: "Active",
                  Description: "bucketwarden rescan s3://acme-uploads/ since 2026-11-26T17:00:00.000Z",
                  ProgressSummary: { TotalNumberOfTasks: 10, NumberOfTasksSucceeded: 3 },
                },
              ],
            },
      GetObjectCommand: objects({
        ...report("new", [
          "acme-uploads,a,,succeeded,200,,clean",
          "acme-uploads,b,,succeeded,200,,infected:Win.Test",
        ]),
        ...report("old", ["acme-uploads,a,,succeeded,200,,clean"]),
        "bw-definitions-1a2b3c/clamav/manifest.json": manifest,
      }),
    });
    const status = await backend(clients).status("acme-uploads");
    assert.deepEqual(status, {
      bucket: "acme-uploads",
      counts: { clean: 1, infected: 1, unscannable: 0, failed: 0 },
      definitionsVersion: definitionsVersion(files),
      backlog: [{ total: 10, processed: 3, failed: 0, status: "Active" }],
    });
  });

  it("has no counts and no definitions version when nothing has run and no definitions are published", async () => {
    const clients = fakeClients({ ListJobsCommand: () => ({ Jobs: [] }), GetObjectCommand: objects({}) });
    const status = await backend(clients).status("acme-uploads");
    assert.deepEqual(status, {
      bucket: "acme-uploads",
      counts: {},
      definitionsVersion: undefined,
      backlog: [],
    });
  });

  it("turns a denied report read into a typed error", async () => {
    const clients = fakeClients({
      ListJobsCommand: () => ({
        Jobs: [
          { JobId: "j", Status: "Complete", Description: "bucketwarden scan-existing s3://acme-uploads/" },
        ],
      }),
      GetObjectCommand: () => {
        throw awsError("AccessDenied", 403);
      },
    });
    await assert.rejects(
      backend(clients).status("acme-uploads"),
      (e: unknown) => e instanceof AwsAccessDeniedError && e.operation === "s3:GetObject",
    );
  });

  it("reads a body-less answer as no definitions version", async () => {
    const clients = fakeClients({ ListJobsCommand: () => ({ Jobs: [] }), GetObjectCommand: () => ({}) });
    assert.equal((await backend(clients).status("acme-uploads")).definitionsVersion, undefined);
  });
});

describe("cli/aws backend: scanning from an S3 Inventory report", () => {
  const uri =
    "s3://bw-backlog-reports-1a2b3c/manifests/inventory/acme-uploads/all-versions/2026-11-26T01-00Z/manifest.json";

  it("pins the inventory's manifest by the ETag S3 answers for it", async () => {
    const clients = fakeClients({
      ListJobsCommand: () => ({ Jobs: [] }),
      HeadObjectCommand: () => ({ ETag: '"9a0364b9e99bb480dd25e1f0284c8555"', VersionId: "v3" }),
      CreateJobCommand: () => ({ JobId: "job-inv" }),
    });
    await backend(clients, { inventoryManifest: uri }).start({
      kind: "scan-existing",
      bucket: "acme-uploads",
    });
    assert.deepEqual(clients.sent[1]?.input, {
      Bucket: "bw-backlog-reports-1a2b3c",
      Key: "manifests/inventory/acme-uploads/all-versions/2026-11-26T01-00Z/manifest.json",
    });
    const input = clients.sent[2]?.input as CreateJobCommandInput;
    assert.equal(input.ManifestGenerator, undefined);
    assert.deepEqual(input.Manifest, {
      Spec: { Format: "S3InventoryReport_CSV_20161130" },
      Location: {
        ObjectArn: `arn:aws:s3:::${uri.slice("s3://".length)}`,
        ETag: '"9a0364b9e99bb480dd25e1f0284c8555"',
        ObjectVersionId: "v3",
      },
    });
  });

  it("refuses an inventory location that is not an s3:// URI before any AWS call", async () => {
    const clients = fakeClients({});
    await assert.rejects(
      backend(clients, { inventoryManifest: "https://example.com/manifest.json" }).start({
        kind: "scan-existing",
        bucket: "acme-uploads",
      }),
      (e: unknown) => e instanceof ConfigError && e.setting === "--inventory",
    );
    assert.deepEqual(clients.names(), []);
  });
});
