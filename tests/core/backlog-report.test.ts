import assert from "node:assert/strict";
import {
  addReportRow,
  type BacklogCounts,
  CompletionReportError,
  completionReportKeys,
  countReport,
  emptyCounts,
  parseCompletionReportManifest,
  parseCsv,
  parseReportRows,
} from "../../core/backlog-report";

describe("core/backlog-report: reading the completion report", () => {
  it("looks for the report's top-level file under the report prefix and the job's id", () => {
    assert.deepEqual(completionReportKeys("reports/", "j1"), [
      "reports/job-j1/manifest.json",
      "reports/job-j1/report.json",
    ]);
    assert.deepEqual(completionReportKeys("", "j1"), ["job-j1/manifest.json", "job-j1/report.json"]);
  });

  it("lists the result files of the report's manifest", () => {
    const text = JSON.stringify({
      Format: "Report_CSV_20180820",
      Results: [
        { TaskExecutionStatus: "succeeded", Bucket: "bw-reports", Key: "reports/job-j1/results/a.csv" },
        { TaskExecutionStatus: "failed", Bucket: "bw-reports", Key: "reports/job-j1/results/b.csv" },
      ],
    });
    assert.deepEqual(parseCompletionReportManifest(text), [
      { bucket: "bw-reports", key: "reports/job-j1/results/a.csv", taskExecutionStatus: "succeeded" },
      { bucket: "bw-reports", key: "reports/job-j1/results/b.csv", taskExecutionStatus: "failed" },
    ]);
  });

  for (const [title, text] of [
    ["refuses a manifest that is not JSON", "<Error/>"],
    ["refuses a manifest without Results", "{}"],
    ["refuses a result without a key", '{"Results":[{"Bucket":"b"}]}'],
  ])
    it(title, () => assert.throws(() => parseCompletionReportManifest(text), CompletionReportError));

  it("splits quoted CSV fields holding commas, quotes and line breaks", () => {
    assert.deepEqual(parseCsv('a,"b,c","say ""hi""","x\ny"\r\nd,,e\n'), [
      ["a", "b,c", 'say "hi"', "x\ny"],
      ["d", "", "e"],
    ]);
  });

  it("reads the result message from the last column, whatever order the code columns are in", () => {
    const rows = parseReportRows(
      'uploads,a.txt,v1,succeeded,200,,clean\nuploads,b.bin,,failed,200,PermanentFailure,"Lambda returned function error: {""errorMessage"":""Task timed out""}"\n',
    );
    assert.deepEqual(
      rows.map((r) => [r.key, r.versionId, r.taskStatus, r.resultMessage]),
      [
        ["a.txt", "v1", "succeeded", "clean"],
        ["b.bin", "", "failed", 'Lambda returned function error: {"errorMessage":"Task timed out"}'],
      ],
    );
  });

  it("refuses a row with too few columns", () =>
    assert.throws(() => parseReportRows("uploads,a.txt\n"), CompletionReportError));

  const rows: Array<[string, string, string, Partial<BacklogCounts>]> = [
    ["counts a clean verdict", "succeeded", "clean", { scanned: 1, clean: 1 }],
    ["counts an infected verdict", "succeeded", "infected:Eicar-Signature", { scanned: 1, infected: 1 }],
    [
      "counts an unscannable object",
      "succeeded",
      "unscannable:Bucketwarden.Unscannable.Rar",
      { scanned: 1, unscannable: 1 },
    ],
    [
      "counts an object over a limit as unscannable",
      "succeeded",
      "limits-exceeded:Heuristics.Limits.Exceeded.MaxFileSize",
      { scanned: 1, unscannable: 1 },
    ],
    [
      "counts a skip for a current verdict as scanned",
      "succeeded",
      "skipped:already-scanned",
      { scanned: 1, alreadyScanned: 1 },
    ],
    [
      "counts the verdict a skip names, if it names one",
      "succeeded",
      "skipped:already-scanned:infected",
      { scanned: 1, alreadyScanned: 1, infected: 1 },
    ],
    ["counts a deleted object as failed", "failed", "skipped:deleted", { failed: 1 }],
    ["counts a scanner failure as failed", "failed", "failed:TagLimitError: 10 tags", { failed: 1 }],
    ["counts a Lambda error as failed", "failed", "Lambda returned function error", { failed: 1 }],
  ];
  for (const [title, taskStatus, resultMessage, expected] of rows)
    it(title, () => {
      const counts = emptyCounts();
      addReportRow(counts, { taskStatus, resultMessage });
      assert.deepEqual(counts, { ...emptyCounts(), ...expected });
    });

  it("adds up every row of every result file", () => {
    const succeeded =
      "u,a,,succeeded,200,,clean\nu,b,,succeeded,200,,infected:Eicar-Signature\nu,c,,succeeded,200,,clean\n";
    const failed = "u,d,,failed,200,PermanentFailure,skipped:deleted\n";
    assert.deepEqual(countReport([succeeded, failed]), {
      scanned: 3,
      clean: 2,
      infected: 1,
      unscannable: 0,
      failed: 1,
      alreadyScanned: 0,
    });
  });
});
