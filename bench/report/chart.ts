/**
 * The latency chart: median (line) and p95 (tick) per object size for the three ways, one panel per
 * database, both axes logarithmic since the ways differ by orders of magnitude. Vega-Lite renders
 * SVG without a browser and resvg turns it into PNG without native builds (shared notes).
 */
import { writeFile } from "node:fs/promises";
import { Resvg } from "@resvg/resvg-js";
import type { CaseRow } from "../types";
import { Ways } from "../types";

/** Writes the chart of `rows` as a PNG to `path`. */
export async function writeLatencyChart(
  rows: readonly CaseRow[],
  path: string,
  title: string,
): Promise<void> {
  // vega and vega-lite are ES modules with top-level await: they load only through import().
  const vega = await import("vega");
  const { compile } = await import("vega-lite");
  const values = rows.map((r) => ({
    database: r.database,
    way: r.way,
    bytes: r.bytes,
    size: r.sizeLabel,
    p50: r.latencyMs.p50,
    p95: r.latencyMs.p95,
  }));
  const sizes = [...new Map(rows.map((r) => [r.bytes, r.sizeLabel])).entries()].sort((a, b) => a[0] - b[0]);
  const labelExpr = `${sizes.map(([b, l]) => `datum.value == ${b} ? '${l}'`).join(" : ")} : ''`;
  const color = {
    field: "way",
    type: "nominal",
    title: null,
    scale: { domain: [Ways.seed, Ways.warm, Ways.raw], range: ["#d62728", "#1f77b4", "#7f7f7f"] },
    legend: { orient: "bottom" },
  } as const;
  const x = {
    field: "bytes",
    type: "quantitative",
    title: "object size",
    scale: { type: "log", domain: [sizes[0][0] / 2, sizes[sizes.length - 1][0] * 2] },
    axis: { values: sizes.map(([b]) => b), labelExpr, grid: false },
  } as const;
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, anchor: "start" },
    background: "white",
    data: { values },
    facet: {
      column: {
        field: "database",
        type: "nominal",
        title: null,
        // In the run's order (test database first), not alphabetical.
        sort: [...new Set(rows.map((r) => r.database))],
        header: { labelFontSize: 13 },
      },
    },
    spec: {
      width: 360,
      height: 300,
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x,
            y: {
              field: "p50",
              type: "quantitative",
              title: "latency, ms (median line, p95 tick; log scale)",
              scale: { type: "log" },
            },
            color,
          },
        },
        {
          mark: { type: "tick", thickness: 2, size: 12 },
          encoding: { x, y: { field: "p95", type: "quantitative" }, color },
        },
      ],
    },
  };
  // The spec above is valid Vega-Lite; its TypeScript types are stricter than the schema about literals.
  const compiled = compile(spec as unknown as Parameters<typeof compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG(2);
  await view.finalize();
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } })
    .render()
    .asPng();
  await writeFile(path, png);
}
