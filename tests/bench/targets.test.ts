import assert from "node:assert/strict";
import { judgeTargets } from "../../bench/targets";
import { type CaseRow, type Way, Ways } from "../../bench/types";

const MB = 1024 * 1024;

/** A row with only what the judgement reads; one property changed per case. */
function row(
  way: Way,
  sizeLabel: string,
  bytes: number,
  p50: number,
  nodePeakMB?: number,
  tmpPeakMB?: number,
): CaseRow {
  const latencyMs = { n: 1, min: p50, p50, p95: p50, max: p50, mean: p50 };
  return {
    database: "db",
    way,
    sizeLabel,
    bytes,
    clean: 1,
    infected: 0,
    latencyMs,
    throughputMBps: bytes / MB / (p50 / 1000),
    nodePeakMB,
    tmpPeakMB,
    tmpBaselineMB: tmpPeakMB === undefined ? undefined : 300,
    guardDuty: 0,
  };
}

function rows(
  over: { warm1k?: number; warm100?: number; node100?: number; tmp100?: number } = {},
): CaseRow[] {
  return [
    row(Ways.seed, "1 KB", 1024, 20_000),
    row(Ways.warm, "1 KB", 1024, over.warm1k ?? 25, 70),
    row(Ways.raw, "1 KB", 1024, 5),
    row(Ways.warm, "1 MB", MB, 60, 72),
    row(Ways.warm, "100 MB", 100 * MB, over.warm100 ?? 3200, over.node100 ?? 75, over.tmp100 ?? 301),
    row(Ways.raw, "100 MB", 100 * MB, 3000),
  ];
}

describe("bench/targets", () => {
  it("meets every target when warm is fast, close to raw clamd and flat in memory", () => {
    const t = judgeTargets(rows(), "db");
    assert.deepEqual(
      Object.values(t).map((x) => x.met),
      [true, true, true, true, true],
    );
    assert.equal(t.warmOverheadMs.value, 20);
    assert.equal(t.speedupWarmVsSeed.value, 800);
  });

  it("misses the overhead target by what warm adds over raw clamd beyond 30 ms", () => {
    const t = judgeTargets(rows({ warm1k: 40 }), "db");
    assert.equal(t.warmOverheadMs.met, false);
    assert.equal(t.warmOverheadMs.value, 35);
  });

  it("compares 100 MB throughput as a share of raw clamd's", () => {
    const t = judgeTargets(rows({ warm100: 4000 }), "db");
    assert.equal(t.throughputRatio100MB.value, 0.75);
    assert.equal(t.throughputRatio100MB.met, false);
  });

  it("calls Node memory flat only when it grows far less than the object between the two largest sizes", () => {
    assert.equal(judgeTargets(rows({ node100: 75 }), "db").flatNodeMemory.met, true);
    const buffering = judgeTargets(rows({ node100: 172 }), "db").flatNodeMemory;
    assert.equal(buffering.met, false);
    assert.equal(buffering.from, "1 MB");
    assert.equal(buffering.to, "100 MB");
  });

  it("misses flat /tmp when the scanner spools the whole object there", () => {
    const tmp = judgeTargets(rows({ tmp100: 400 }), "db").flatTmp;
    assert.equal(tmp.growthMB, 100);
    assert.equal(tmp.met, false);
  });

  it("refuses to judge a run that lacks a row the targets need", () => {
    assert.throws(() => judgeTargets(rows().slice(1), "db"), /seed-style/);
  });
});
