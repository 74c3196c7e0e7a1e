/** The layers, built once per test run (a fresh clone has none); later calls reuse the result. */
import { type BuiltLayer, buildLayers } from "../../../layers/build";

let built: Promise<BuiltLayer[]> | undefined;

/** Builds the layers, or confirms them up to date, once for all test files. */
export function layersBuilt(): Promise<BuiltLayer[]> {
  built ??= buildLayers({ log: () => {} });
  return built;
}

/** Enough for a cold build on a fresh machine: downloads of ~90 packages and four zips. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;
