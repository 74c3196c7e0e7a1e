import assert from "node:assert/strict";
import {
  BACKLOG_MARKERS,
  type BacklogResults,
  backlogSection,
  withBacklogSection,
} from "../../bench/backlog-report";

const results: BacklogResults = {
  generatedAt: "2026-11-26T18:00:00.000Z",
  machine: {
    cpuModel: "CPU",
    cores: 2,
    ramGB: 8,
    kernel: "Linux",
    node: "v22",
    clamav: "1.4",
    loadAverage: [1, 1, 1],
  },
  definitions: "TEST",
  cases: [
    {
      mix: "small",
      environments: 1,
      objects: 300,
      bytes: 307_200,
      infected: 30,
      seconds: 20,
      objectsPerSecond: 15,
      megabytesPerSecond: 0.015,
      failed: 0,
      warmUpSeconds: 1.2,
    },
    {
      mix: "small",
      environments: 2,
      objects: 300,
      bytes: 307_200,
      infected: 30,
      seconds: 12,
      objectsPerSecond: 25,
      megabytesPerSecond: 0.025,
      failed: 0,
      warmUpSeconds: 1.5,
    },
  ],
};

describe("bench/backlog-report: the backlog throughput section of results.md", () => {
  it("has a row per case with its objects per second", () => {
    const text = backlogSection(results).join("\n");
    assert.match(text, /^\| small \| 1 \| 300 \(30 infected\) \| 0\.3 \| 20\.0 \| \*\*15\.0\*\* \|/m);
    assert.match(text, /^\| small \| 2 \| 300 \(30 infected\) \| 0\.3 \| 12\.0 \| \*\*25\.0\*\* \|/m);
  });

  it("compares two environments with one", () => {
    assert.match(backlogSection(results).join("\n"), /Two environments against one: small 1\.67×/);
  });

  it("appends the section to a results.md that has none", () => {
    const md = withBacklogSection("# Benchmark\n\ntext\n", results);
    assert.ok(md.startsWith("# Benchmark\n\ntext\n\n"));
    assert.ok(md.includes(BACKLOG_MARKERS[0]) && md.trimEnd().endsWith(BACKLOG_MARKERS[1]));
  });

  it("replaces its own section and leaves the rest of the file alone", () => {
    const before = withBacklogSection("# Benchmark\n\nhead\n", results);
    const later = { ...results, cases: [{ ...results.cases[0], objectsPerSecond: 99 }] };
    const after = withBacklogSection(`${before}\n## After\n`, later);
    assert.equal(after.split(BACKLOG_MARKERS[0]).length, 2, "one section");
    assert.match(after, /\*\*99\.0\*\*/);
    assert.doesNotMatch(after, /\*\*15\.0\*\*/);
    assert.match(after, /^## After$/m);
  });
});
