/**
 * Where the build puts what the component deploys. The component references these paths; the
 * handler build and the layer build write them; tests and local mode run from them.
 */

/** The Lambda handlers of the pipeline: the scanner, the updater, and the rescan starter (BacklogScanning). */
export const HandlerNames = ["scanner", "updater", "rescan"] as const;
export type HandlerName = (typeof HandlerNames)[number];

/** Folder of the esbuild bundles, relative to the project root. */
export const HANDLER_BUILD_DIR = ".build/handlers";

/** Folder holding one handler's bundle (`index.js`, deployed as the function's code). */
export function handlerBundleDir(projectRoot: string, name: HandlerName): string {
  return `${projectRoot}/${HANDLER_BUILD_DIR}/${name}`;
}

/** The Lambda `handler` setting for every bundle: `index.js` exporting `handler`. */
export const LAMBDA_HANDLER = "index.handler";

/** The Lambda runtime the bundles target. Node 20 reached end of life in April 2026. */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** The esbuild target matching {@link LAMBDA_RUNTIME}; the bundles also run on Node 20 for tests. */
export const BUNDLE_TARGET = "node20";
