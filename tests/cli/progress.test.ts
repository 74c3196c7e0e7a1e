import assert from "node:assert/strict";
import type { BacklogProgress } from "../../cli/backend";
import { etaMs, progressBar, progressLine, RateMeter, statusText, summaryText } from "../../cli/progress";

const at = (
  processed: number,
  total: number | undefined,
  status = "Active",
  failed = 0,
): BacklogProgress => ({
  processed,
  total,
  failed,
  status,
});

describe("cli/progress: what a person sees while a run goes on", () => {
  it("has no rate before two samples", () => {
    const m = new RateMeter();
    m.add(0, 0);
    assert.equal(m.rate(), undefined);
  });

  it("measures objects per second between samples", () => {
    const m = new RateMeter();
    m.add(0, 0);
    m.add(2_000, 50);
    assert.equal(m.rate(), 25);
  });

  it("forgets samples older than its window, so the rate follows the current speed", () => {
    const m = new RateMeter(10_000);
    m.add(0, 0);
    m.add(10_000, 1000); // fast at first
    m.add(20_000, 1010); // slow now
    m.add(30_000, 1020);
    assert.equal(m.rate(), 1);
  });

  const etas: Array<[string, BacklogProgress, number | undefined, number | undefined]> = [
    ["tells the time left from the rate", at(100, 400), 10, 30_000],
    ["cannot tell without a total", at(100, undefined), 10, undefined],
    ["cannot tell without a rate", at(100, 400), undefined, undefined],
    ["cannot tell at a rate of zero", at(100, 400), 0, undefined],
    ["says nothing is left when done", at(400, 400), 10, 0],
  ];
  for (const [name, p, rate, ms] of etas) it(name, () => assert.equal(etaMs(p, rate), ms));

  it("draws a bar with percent, counts, rate and ETA", () => {
    assert.equal(progressBar(at(50, 200), 12.5, 10), "[###-------]   25%  50/200  13 obj/s  ETA 12s  Active");
  });

  it("draws an empty bar while the total is unknown", () => {
    assert.equal(
      progressBar(at(0, undefined, "Preparing"), undefined, 4),
      "[----]    ?%  0/?  -- obj/s  ETA ?  Preparing",
    );
  });

  it("names failures in the counts", () => {
    assert.match(
      progressLine(at(10, 20, "Active", 3), 2),
      /^progress: 10\/20, 3 failed \(50%\), 2\.0 obj\/s, ETA 5s, status Active$/,
    );
  });

  it("counts an empty run as complete", () => {
    assert.match(progressLine(at(0, 0, "Complete"), undefined), /\(100%\)/);
  });

  it("sums up a run, with the verdicts kept from the current definitions on a line of their own", () => {
    const text = summaryText(
      {
        scanned: 10,
        clean: 5,
        infected: 2,
        unscannable: 1,
        failed: 1,
        alreadyScanned: 2,
        report: ".local/runs/x/report.csv",
      },
      65_000,
    );
    assert.equal(
      text,
      [
        "Done in 1m05s.",
        "  scanned:     10",
        "  clean:       5",
        "  infected:    2",
        "  unscannable: 1",
        "  kept:        2 (verdict already from the current definitions)",
        "  failed:      1",
        "  report:      .local/runs/x/report.csv",
      ].join("\n"),
    );
  });

  it("shows a bucket's verdict counts, definitions and unfinished runs", () => {
    const text = statusText({
      bucket: "photos",
      counts: { clean: 3, infected: 1, unscannable: 0, pending: 2, none: 1 },
      definitionsVersion: "abc123",
      backlog: [at(1, 3)],
    });
    assert.match(text, /^photos: 7 object version\(s\)$/m);
    assert.match(text, /^ {2}pending: {5}2$/m);
    assert.match(text, /^definitions: abc123$/m);
    assert.match(text, /^backlog: 1\/3 \(33%\)/m);
  });
});
