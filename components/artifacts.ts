/**
 * Where the components find what they deploy: the handler bundles and the ClamAV layer zips.
 *
 * Installed from npm, they come from the per-architecture artefact package
 * (`@bucketwarden/artifacts-<arch>`, an optional dependency of `bucketwarden`), found with
 * `require.resolve` like any other package. In a checkout of the repository they come from `.build/`,
 * which `npm run build` writes: what was just built is what gets deployed, never an older copy.
 * Either way the component only names the files; Pulumi hashes their bytes, and the build is
 * deterministic, so a deploy with nothing changed shows no diff.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { type HandlerName, handlerBundleDir } from "../core/artifacts";
import { ConfigError } from "../core/errors";
import { LAYER_BUILD_DIR, type LambdaArchitecture, type LayerKind, layerZipName } from "../core/layer-layout";

/** npm package holding the artefacts of each Lambda architecture. */
export const ArtifactPackages = {
  x86_64: "@bucketwarden/artifacts-x86_64",
  arm64: "@bucketwarden/artifacts-arm64",
} as const satisfies Record<LambdaArchitecture, string>;

/** Folder of the handler bundles inside an artefact package: `handlers/<name>/index.js`. */
export const PACKAGE_HANDLERS_DIR = "handlers";
/** Folder of the layer zips inside an artefact package: `layers/<kind>-<arch>.zip`. */
export const PACKAGE_LAYERS_DIR = "layers";

/**
 * Lambda's limit on a zip uploaded with the request itself (`CodeSizeZipped` in the account
 * settings: 50 MB); a bigger one must be uploaded to S3 first and named by bucket and key.
 */
export const LAMBDA_INLINE_ZIP_LIMIT_BYTES = 50 * 1024 * 1024;

/** Whether a zip of `bytes` must go through S3 rather than inline with the Lambda API request. */
export function needsS3Upload(bytes: number, limit: number = LAMBDA_INLINE_ZIP_LIMIT_BYTES): boolean {
  return bytes > limit;
}

/** Where one architecture's artefacts are, and which source they come from. */
export interface ArtifactSource {
  /** `checkout`: the repository's `.build/`; `package`: the installed artefact package. */
  kind: "checkout" | "package";
  /** The checkout or the installed package's folder. */
  root: string;
}

/** What resolving looks at; each part replaceable so tests can play an installed package. */
export interface ArtifactLookup {
  /** The folder a checkout's `.build/` would be in: the parent of `components/`. */
  checkoutRoot: string;
  /** `require.resolve`, for the artefact package's `package.json`. */
  resolve: (request: string) => string;
  exists: (file: string) => boolean;
}

const DEFAULT_LOOKUP: ArtifactLookup = {
  // Source: <repo>/components. Installed: <pkg>/dist/components, whose parent holds no build script.
  checkoutRoot: path.resolve(__dirname, ".."),
  resolve: (request) => require.resolve(request),
  exists: existsSync,
};

/**
 * Finds one architecture's artefacts. A checkout is recognised by the layer build's own source
 * (`layers/build.ts`), which never ships; otherwise the artefact package must be installed, and an
 * error names it when it is not (for instance after `npm install --omit=optional`).
 */
export function artifactSource(
  architecture: LambdaArchitecture,
  lookup: ArtifactLookup = DEFAULT_LOOKUP,
): ArtifactSource {
  if (lookup.exists(path.join(lookup.checkoutRoot, "layers", "build.ts")))
    return { kind: "checkout", root: lookup.checkoutRoot };
  const name = ArtifactPackages[architecture];
  let manifest: string;
  try {
    manifest = lookup.resolve(`${name}/package.json`);
  } catch (cause) {
    throw new ConfigError(
      "architecture",
      `the ${architecture} handlers and layers come from the package ${name}, which is not installed: ` +
        `run \`npm install ${name}\` (it is an optional dependency of bucketwarden)`,
      { cause },
    );
  }
  return { kind: "package", root: path.dirname(manifest) };
}

/** The folder holding one handler's bundle (`index.js`), deployed as a function's code. */
export function handlerCodeDir(
  architecture: LambdaArchitecture,
  handler: HandlerName,
  lookup: ArtifactLookup = DEFAULT_LOOKUP,
): string {
  const source = artifactSource(architecture, lookup);
  return source.kind === "checkout"
    ? handlerBundleDir(source.root, handler)
    : path.join(source.root, PACKAGE_HANDLERS_DIR, handler);
}

/** The zip of one ClamAV layer, deployed as a layer version. */
export function layerZipPath(
  kind: LayerKind,
  architecture: LambdaArchitecture,
  lookup: ArtifactLookup = DEFAULT_LOOKUP,
): string {
  const source = artifactSource(architecture, lookup);
  const dir =
    source.kind === "checkout"
      ? path.join(source.root, LAYER_BUILD_DIR)
      : path.join(source.root, PACKAGE_LAYERS_DIR);
  return path.join(dir, layerZipName(kind, architecture));
}
