/**
 * Bundles each handler with esbuild into `.build/handlers/<name>/index.js` (core/artifacts), the code
 * the component deploys. The output is deterministic: same sources, same bytes, so a deploy shows no
 * change when nothing changed. Run by `npm run build:handlers`.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { BUNDLE_TARGET, type HandlerName, HandlerNames, handlerBundleDir } from "../core/artifacts";

export const PROJECT_ROOT = resolve(__dirname, "..");

/** One bundle as written. */
export interface BuiltHandler {
  name: HandlerName;
  file: string;
  bytes: number;
}

/**
 * Bundles every handler. `outRoot` replaces the project root as the place `.build/handlers` goes
 * (tests build twice into two folders and compare).
 */
export async function buildHandlers(outRoot: string = PROJECT_ROOT): Promise<BuiltHandler[]> {
  const built: BuiltHandler[] = [];
  for (const name of HandlerNames) {
    const dir = handlerBundleDir(outRoot, name);
    const result = await build({
      absWorkingDir: PROJECT_ROOT,
      entryPoints: [`handlers/${name}/index.ts`],
      bundle: true,
      platform: "node",
      target: BUNDLE_TARGET,
      format: "cjs",
      write: false,
      outfile: join(dir, "index.js"),
      // Paths in the bundle's comments are relative to the project, never to the build machine.
      sourcemap: false,
      legalComments: "none",
      minifySyntax: true,
      logLevel: "warning",
      charset: "utf8",
    });
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const file of result.outputFiles) {
      await writeFile(file.path, file.contents);
      built.push({ name, file: file.path, bytes: file.contents.length });
    }
  }
  return built;
}

if (require.main === module) {
  buildHandlers().then(
    (built) => {
      for (const b of built)
        console.log(`${b.file.replace(`${PROJECT_ROOT}/`, "")}  ${(b.bytes / 1024).toFixed(0)} KiB`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
