/**
 * ClamAV's tools as the benchmark runs them: from the scanner layer the build extracts, exactly as
 * the handlers run them on Lambda, never from the host's packages.
 */
import { existsSync, readFileSync } from "node:fs";
import {
  currentArchitecture,
  extractedLayerDir,
  type LambdaArchitecture,
  layerPaths,
} from "../core/layer-layout";
import { layerTools, type ToolResolver } from "../handlers/shared/tools";

export interface ScannerLayer {
  root: string;
  arch: LambdaArchitecture;
  tools: ToolResolver;
  /** ClamAV's version as the layer's manifest records it. */
  clamavVersion: string;
}

/** The extracted scanner layer for this machine's architecture; throws when it was not built. */
export function scannerLayer(projectRoot: string): ScannerLayer {
  const arch = currentArchitecture();
  if (arch === undefined) throw new Error(`no Lambda architecture matches ${process.arch}`);
  const root = extractedLayerDir(projectRoot, "scanner", arch);
  const manifest = layerPaths(root, arch).manifest;
  if (!existsSync(manifest)) throw new Error(`the scanner layer is not built (${root}); run npm run build`);
  const clamavVersion = String(JSON.parse(readFileSync(manifest, "utf8")).clamav ?? "unknown");
  return { root, arch, tools: layerTools(root, arch), clamavVersion };
}
