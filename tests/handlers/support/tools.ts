/**
 * ClamAV for the tests: the project's own layers, extracted by `npm run build:layers` (built here
 * when missing). BW_TEST_HOST_CLAMAV=1 uses Debian's installed tools instead, for quick iteration.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { currentArchitecture, extractedLayerDir, type LayerKind } from "../../../core/layer-layout";
import { hostTools, layerTools, type ToolResolver } from "../../../handlers/shared/tools";

export const PROJECT_ROOT = resolve(__dirname, "../../..");

/** The folder a layer is extracted at, building the layers first if needed. */
export function layerRoot(kind: LayerKind): string {
  const arch = currentArchitecture();
  if (!arch) throw new Error(`no layer for ${process.arch}`);
  const dir = extractedLayerDir(PROJECT_ROOT, kind, arch);
  if (!existsSync(`${dir}/bin`)) {
    execFileSync("npm", ["run", "--silent", "build:layers"], { cwd: PROJECT_ROOT, stdio: "inherit" });
  }
  return dir;
}

/** Whether the tests run Debian's ClamAV instead of the layers'. */
export const useHostClamav = process.env.BW_TEST_HOST_CLAMAV === "1";

/** How the tests run a layer's tools. */
export function testTools(kind: LayerKind): ToolResolver {
  return useHostClamav ? hostTools() : layerTools(layerRoot(kind));
}
