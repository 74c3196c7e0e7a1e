import assert from "node:assert/strict";
import type {
  CreateJobCommandInput,
  JobDescriptor,
  JobListDescriptor,
  ListJobsCommandInput,
} from "@aws-sdk/client-s3-control";
import {
  type BacklogCreateJobRequest,
  type BacklogJobSpec,
  backlogCreateJobRequest,
  backlogJobDescription,
  type DescribedJob,
  findResumableJob,
  jobFailureText,
  jobOutcome,
  jobProgress,
  type ListedJob,
  parseBacklogJobDescription,
  rescanCreatedAfter,
  unfinishedJobsRequest,
} from "../../core/backlog-job";
import { ConfigError } from "../../core/errors";

// Type-level checks, compiled under tsc strict by `npm run lint`: what the builders return is what the
// SDK's commands take, and what the SDK answers is what the readers read. A field renamed on either
// side fails the build.
const _createJob: (spec: BacklogJobSpec) => CreateJobCommandInput = backlogCreateJobRequest;
const _listJobs: (account: string) => ListJobsCommandInput = unfinishedJobsRequest;
const _describe: (job: JobDescriptor) => ReturnType<typeof jobProgress> = jobProgress;
const _listed: (jobs: JobListDescriptor[]) => ListedJob | undefined = (jobs) =>
  findResumableJob(jobs, { kind: "scan-existing", bucket: "b", prefix: "" });
// Assignability lets an extra, misspelt optional field through; this does not: every field the
// builder writes, at every depth, is one the SDK's type names.
type KeysWithin<A, B> = A extends Date | string | number | boolean
  ? true
  : A extends readonly (infer E)[]
    ? KeysWithin<E, B extends readonly (infer F)[] ? F : never>
    : Exclude<keyof A, keyof B> extends never
      ? {
          [K in keyof A]-?: KeysWithin<NonNullable<A[K]>, K extends keyof B ? NonNullable<B[K]> : never>;
        }[keyof A] extends true
        ? true
        : false
      : false;
const _fieldsKnown: [
  KeysWithin<BacklogCreateJobRequest, CreateJobCommandInput>,
  KeysWithin<DescribedJob, JobDescriptor>,
  KeysWithin<ListedJob, JobListDescriptor>,
] = [true, true, true];
void [_createJob, _listJobs, _describe, _listed, _fieldsKnown];

const ACCOUNT = "123456789012";
const target = {
  accountId: ACCOUNT,
  bucket: "uploads",
  scannerFunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:scanner`,
  jobRoleArn: `arn:aws:iam::${ACCOUNT}:role/backlog-job`,
  reportBucketArn: "arn:aws:s3:::bw-reports",
  reportPrefix: "reports/",
  manifestPrefix: "manifests/",
};
const WINDOW_START = new Date("2026-11-25T12:00:00.000Z");

function spec(over: Partial<BacklogJobSpec> = {}): BacklogJobSpec {
  return { ...target, kind: "scan-existing", manifest: { type: "generated" }, runId: "run-1", ...over };
}

describe("core/backlog-job: backlogCreateJobRequest", () => {
  it("builds a scan of the whole bucket from a generated manifest, reporting every task", () => {
    const request = backlogCreateJobRequest(spec());
    const { ClientRequestToken, ...rest } = request;
    assert.match(ClientRequestToken, /^bw-scan-existing-[0-9a-f]+$/);
    assert.ok(ClientRequestToken.length <= 64);
    const expected: Omit<BacklogCreateJobRequest, "ClientRequestToken"> = {
      AccountId: ACCOUNT,
      ConfirmationRequired: false,
      Operation: {
        LambdaInvoke: {
          FunctionArn: target.scannerFunctionArn,
          InvocationSchemaVersion: "2.0",
          UserArguments: { mode: "scan-existing" },
        },
      },
      Report: {
        Bucket: "arn:aws:s3:::bw-reports",
        Format: "Report_CSV_20180820",
        Enabled: true,
        Prefix: "reports",
        ReportScope: "AllTasks",
        ExpectedBucketOwner: ACCOUNT,
      },
      Description: "bucketwarden scan-existing s3://uploads/",
      Priority: 10,
      RoleArn: target.jobRoleArn,
      ManifestGenerator: {
        S3JobManifestGenerator: {
          ExpectedBucketOwner: ACCOUNT,
          SourceBucket: "arn:aws:s3:::uploads",
          EnableManifestOutput: true,
          ManifestOutputLocation: {
            ExpectedManifestBucketOwner: ACCOUNT,
            Bucket: "arn:aws:s3:::bw-reports",
            ManifestPrefix: "manifests",
            ManifestFormat: "S3InventoryReport_CSV_20211130",
          },
        },
      },
    };
    assert.deepEqual(rest, expected);
  });

  const filters: Array<[string, Partial<BacklogJobSpec>, unknown, string]> = [
    [
      "filters a rescan to objects created after its window's start",
      { kind: "rescan", manifest: { type: "generated", createdAfter: WINDOW_START } },
      { CreatedAfter: WINDOW_START },
      "bucketwarden rescan s3://uploads/ since 2026-11-25T12:00:00.000Z",
    ],
    [
      "filters a scan to keys under a prefix",
      { manifest: { type: "generated", prefix: "photos/2024/" } },
      { KeyNameConstraint: { MatchAnyPrefix: ["photos/2024/"] } },
      "bucketwarden scan-existing s3://uploads/photos/2024/",
    ],
    [
      "combines a prefix with a rescan window",
      { kind: "rescan", manifest: { type: "generated", prefix: "a/", createdAfter: WINDOW_START } },
      { CreatedAfter: WINDOW_START, KeyNameConstraint: { MatchAnyPrefix: ["a/"] } },
      "bucketwarden rescan s3://uploads/a/ since 2026-11-25T12:00:00.000Z",
    ],
  ];
  for (const [title, over, filter, description] of filters)
    it(title, () => {
      const request = backlogCreateJobRequest(spec(over));
      assert.deepEqual(request.ManifestGenerator?.S3JobManifestGenerator.Filter, filter);
      assert.equal(request.Description, description);
      assert.equal(request.Operation.LambdaInvoke.UserArguments.mode, over.kind ?? "scan-existing");
    });

  it("reads an S3 Inventory manifest, pinned by its ETag, instead of generating one", () => {
    const manifestArn = "arn:aws:s3:::inventory/uploads/all/2026-11-25T01-00Z/manifest.json";
    const request = backlogCreateJobRequest(
      spec({ manifest: { type: "inventory", manifestArn, eTag: '"abc"', manifestVersionId: "v1" } }),
    );
    assert.equal(request.ManifestGenerator, undefined);
    assert.deepEqual(request.Manifest, {
      Spec: { Format: "S3InventoryReport_CSV_20161130" },
      Location: { ObjectArn: manifestArn, ETag: '"abc"', ObjectVersionId: "v1" },
    });
  });

  it("gives a rescan a higher priority than a backlog scan by default, and takes a given one", () => {
    const rescan = spec({ kind: "rescan", manifest: { type: "generated", createdAfter: WINDOW_START } });
    assert.ok(backlogCreateJobRequest(rescan).Priority > backlogCreateJobRequest(spec()).Priority);
    assert.equal(backlogCreateJobRequest(spec({ priority: 3 })).Priority, 3);
  });

  it("rescans the whole bucket when no window is given", () => {
    const request = backlogCreateJobRequest(spec({ kind: "rescan" }));
    assert.equal(request.ManifestGenerator?.S3JobManifestGenerator.Filter, undefined);
    assert.equal(request.Description, "bucketwarden rescan s3://uploads/");
  });

  it("names the bucket's ARN in the job's partition", () => {
    const request = backlogCreateJobRequest(spec({ partition: "aws-cn" }));
    assert.equal(request.ManifestGenerator?.S3JobManifestGenerator.SourceBucket, "arn:aws-cn:s3:::uploads");
  });

  it("gives the same request token to the same job and run, and another to another run or bucket", () => {
    const token = (over: Partial<BacklogJobSpec>) => backlogCreateJobRequest(spec(over)).ClientRequestToken;
    assert.equal(token({}), token({}));
    assert.notEqual(token({}), token({ runId: "run-2" }));
    assert.notEqual(token({}), token({ bucket: "other" }));
    assert.notEqual(token({}), token({ manifest: { type: "generated", prefix: "a/" } }));
  });

  const refused: Array<[string, Partial<BacklogJobSpec>, string]> = [
    ["refuses an account id that is not 12 digits", { accountId: "12345" }, "accountId"],
    ["refuses a run without a run id", { runId: "" }, "runId"],
    ["refuses a negative priority", { priority: -1 }, "priority"],
    [
      "refuses a prefix too long to name in the description",
      { manifest: { type: "generated", prefix: "p".repeat(300) } },
      "prefix",
    ],
  ];
  for (const [title, over, setting] of refused)
    it(title, () =>
      assert.throws(
        () => backlogCreateJobRequest(spec(over)),
        (e: unknown) => e instanceof ConfigError && e.setting === setting,
      ),
    );
});

describe("core/backlog-job: finding an unfinished job to resume", () => {
  it("reads back every description it writes", () => {
    for (const identity of [
      { kind: "scan-existing" as const, bucket: "b", prefix: "" },
      { kind: "rescan" as const, bucket: "b.c-d", prefix: "x y/ since/", createdAfter: WINDOW_START },
    ])
      assert.deepEqual(parseBacklogJobDescription(backlogJobDescription(identity)), identity);
  });

  it("does not take another tool's job description for one of its own", () => {
    for (const d of [undefined, "", "copy job", "bucketwarden delete s3://b/", "bucketwarden rescan b"])
      assert.equal(parseBacklogJobDescription(d), undefined);
  });

  const job = (id: string, description: string, status = "Active", created = 0): ListedJob => ({
    JobId: id,
    Description: description,
    Status: status,
    CreationTime: new Date(created),
  });
  const later = new Date(WINDOW_START.getTime() + 60_000);
  const table: Array<[string, ListedJob[], Parameters<typeof findResumableJob>[1], string | undefined]> = [
    [
      "finds the active scan of the same bucket",
      [
        job("other", "bucketwarden scan-existing s3://other/"),
        job("mine", "bucketwarden scan-existing s3://uploads/"),
      ],
      { kind: "scan-existing", bucket: "uploads", prefix: "" },
      "mine",
    ],
    [
      "does not resume a rescan for a backlog scan",
      [job("r", "bucketwarden rescan s3://uploads/ since 2026-11-25T12:00:00.000Z")],
      { kind: "scan-existing", bucket: "uploads", prefix: "" },
      undefined,
    ],
    [
      "does not resume a scan of another prefix",
      [job("p", "bucketwarden scan-existing s3://uploads/a/")],
      { kind: "scan-existing", bucket: "uploads", prefix: "" },
      undefined,
    ],
    [
      "does not resume a job that is failing or complete",
      [
        job("f", "bucketwarden scan-existing s3://uploads/", "Failing"),
        job("c", "bucketwarden scan-existing s3://uploads/", "Complete"),
      ],
      { kind: "scan-existing", bucket: "uploads", prefix: "" },
      undefined,
    ],
    [
      "resumes a job still preparing its manifest",
      [job("n", "bucketwarden scan-existing s3://uploads/", "Preparing")],
      { kind: "scan-existing", bucket: "uploads", prefix: "" },
      "n",
    ],
    [
      "resumes a rescan whose window covers the one asked for",
      [job("r", "bucketwarden rescan s3://uploads/ since 2026-11-25T12:00:00.000Z")],
      { kind: "rescan", bucket: "uploads", prefix: "", createdAfter: later },
      "r",
    ],
    [
      "starts anew when the rescan asked for reaches further back",
      [job("r", `bucketwarden rescan s3://uploads/ since ${later.toISOString()}`)],
      { kind: "rescan", bucket: "uploads", prefix: "", createdAfter: WINDOW_START },
      undefined,
    ],
    [
      "follows the newest of several matching jobs",
      [
        job("old", "bucketwarden scan-existing s3://uploads/", "Active", 1000),
        job("new", "bucketwarden scan-existing s3://uploads/", "Ready", 2000),
      ],
      { kind: "scan-existing", bucket: "uploads", prefix: "" },
      "new",
    ],
  ];
  for (const [title, jobs, wanted, expected] of table)
    it(title, () => assert.equal(findResumableJob(jobs, wanted)?.JobId, expected));

  it("asks ListJobs only for jobs that may still scan", () => {
    const request = unfinishedJobsRequest(ACCOUNT, "tok");
    assert.equal(request.AccountId, ACCOUNT);
    assert.equal(request.NextToken, "tok");
    for (const ended of ["Complete", "Failed", "Cancelled", "Failing", "Cancelling"])
      assert.ok(!(request.JobStatuses as string[]).includes(ended), ended);
    assert.ok((request.JobStatuses as string[]).includes("Active"));
  });
});

describe("core/backlog-job: reading DescribeJob", () => {
  const table: Array<[string, JobDescriptor, ReturnType<typeof jobProgress>]> = [
    [
      "reads the task counts of an active job",
      {
        Status: "Active",
        ProgressSummary: { TotalNumberOfTasks: 100, NumberOfTasksSucceeded: 40, NumberOfTasksFailed: 2 },
      },
      { total: 100, processed: 42, failed: 2, status: "Active" },
    ],
    [
      "leaves the total unknown while the manifest is being prepared",
      { Status: "Preparing", ProgressSummary: { TotalNumberOfTasks: 0 } },
      { total: undefined, processed: 0, failed: 0, status: "Preparing" },
    ],
    [
      "reads a job with no progress summary yet",
      { Status: "New" },
      { total: undefined, processed: 0, failed: 0, status: "New" },
    ],
  ];
  for (const [title, job, expected] of table) it(title, () => assert.deepEqual(jobProgress(job), expected));

  it("tells a finished job from a running one, and how it ended", () => {
    const cases: Array<[string | undefined, string]> = [
      ["Active", "running"],
      ["Completing", "running"],
      ["Failing", "running"],
      ["Complete", "complete"],
      ["Failed", "failed"],
      ["Cancelled", "cancelled"],
      [undefined, "running"],
    ];
    for (const [status, outcome] of cases) assert.equal(jobOutcome(status), outcome, String(status));
  });

  it("says why a job failed, from its failure reasons or its status update", () => {
    assert.equal(
      jobFailureText({
        FailureReasons: [
          { FailureCode: "AccessDenied", FailureReason: "cannot read manifest" },
          { FailureReason: "task failure threshold exceeded" },
        ],
      }),
      "AccessDenied: cannot read manifest; task failure threshold exceeded",
    );
    assert.equal(jobFailureText({ StatusUpdateReason: "cancelled by user" }), "cancelled by user");
    assert.equal(jobFailureText({}), "no reason given");
  });
});

describe("core/backlog-job: rescanCreatedAfter", () => {
  it("starts the window its length before now", () =>
    assert.deepEqual(rescanCreatedAfter(new Date("2026-11-26T12:00:00Z"), 86_400_000), WINDOW_START));
  it("refuses a window that is not a positive duration", () => {
    for (const ms of [0, -1, Number.NaN])
      assert.throws(() => rescanCreatedAfter(WINDOW_START, ms), ConfigError, String(ms));
  });
});
