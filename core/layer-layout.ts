/**
 * The file layout of the ClamAV Lambda layers, shared by the layer build (which writes it),
 * the component (which deploys it) and the handlers (which run the tools from it).
 *
 * Lambda extracts layers under `/opt`. Lambda also puts `/opt/lib` on `LD_LIBRARY_PATH` of the
 * Node runtime itself, so the glibc we ship must never sit there: it would be loaded by Node.
 * Everything private lives under `clamav/`.
 *
 * ```
 * bin/<tool>                 the tool, its ELF interpreter patched to /opt/clamav/lib/<loader>
 *                            and its RUNPATH to $ORIGIN/../clamav/lib: runs on Lambda with no shell
 * clamav/lib/                every shared library the tools need, and the dynamic loader itself
 * clamav/lib/gconv/          glibc's iconv modules (scanner layer), for ClamAV's text conversions
 * clamav/etc/                default configuration (freshclam.conf) and the CA bundle
 * clamav/layer.json          what was built: ClamAV version, Debian packages, architecture
 * ```
 */

/** Lambda's two architectures, named as Lambda names them. */
export const LambdaArchitectures = ["x86_64", "arm64"] as const;
export type LambdaArchitecture = (typeof LambdaArchitectures)[number];

/** The two layers of the seed. */
export const LayerKinds = ["freshclam", "scanner"] as const;
export type LayerKind = (typeof LayerKinds)[number];

/**
 * Tools each layer carries. The freshclam layer carries `clamscan` too: the updater loads the whole
 * updated database with it before publishing (never a database the scanners cannot load), and it
 * costs one small binary, since freshclam already needs the same libclamav.
 */
export const LayerTools = {
  freshclam: ["freshclam", "clamscan"],
  scanner: ["clamscan", "clamd", "clamdscan"],
} as const satisfies Record<LayerKind, readonly string[]>;

export type ClamTool = (typeof LayerTools)[LayerKind][number];

/** Where Lambda mounts layers. */
export const LAMBDA_LAYER_ROOT = "/opt";

/** Folder of private files inside a layer. */
export const PRIVATE_DIR = "clamav";

/** The dynamic loader glibc uses on each architecture. */
export const DynamicLoaders = {
  x86_64: "ld-linux-x86-64.so.2",
  arm64: "ld-linux-aarch64.so.1",
} as const satisfies Record<LambdaArchitecture, string>;

/** Debian's name for each Lambda architecture. */
export const DebianArchitectures = {
  x86_64: "amd64",
  arm64: "arm64",
} as const satisfies Record<LambdaArchitecture, string>;

/** Node's `process.arch` for each Lambda architecture. */
const NodeArchitectures = { x64: "x86_64", arm64: "arm64" } as const;

/** The Lambda architecture of the running process, or `undefined` on any other. */
export function currentArchitecture(nodeArch: string = process.arch): LambdaArchitecture | undefined {
  return (NodeArchitectures as Record<string, LambdaArchitecture>)[nodeArch];
}

/** Paths inside a layer extracted at `root`. */
export function layerPaths(root: string, arch: LambdaArchitecture) {
  const priv = `${root}/${PRIVATE_DIR}`;
  return {
    bin: `${root}/bin`,
    lib: `${priv}/lib`,
    etc: `${priv}/etc`,
    loader: `${priv}/lib/${DynamicLoaders[arch]}`,
    gconv: `${priv}/lib/gconv`,
    caBundle: `${priv}/etc/ssl/ca-certificates.crt`,
    freshclamConf: `${priv}/etc/freshclam.conf`,
    manifest: `${priv}/layer.json`,
  };
}

/** A command line to run, as `child_process.spawn` takes it. */
export interface ToolCommand {
  command: string;
  args: string[];
  /** Variables to add to the child's environment. */
  env: Record<string, string>;
}

/**
 * How to run `tool` from a layer extracted at `root` (`/opt` on Lambda, anywhere in tests and local
 * mode). The tool is started through the layer's own dynamic loader, so it works wherever the layer
 * was extracted and never picks up the host's libraries.
 */
export function toolCommand(
  root: string,
  arch: LambdaArchitecture,
  tool: ClamTool,
  args: readonly string[],
): ToolCommand {
  const paths = layerPaths(root, arch);
  return {
    command: paths.loader,
    // --inhibit-cache: never consult the host's /etc/ld.so.cache, so nothing of the host is loaded.
    args: ["--inhibit-cache", "--library-path", paths.lib, `${paths.bin}/${tool}`, ...args],
    env: {
      // libcurl in freshclam looks for Debian's CA path; Lambda's images keep theirs elsewhere.
      CURL_CA_BUNDLE: paths.caBundle,
      // glibc's iconv looks for its modules in Debian's folder otherwise; without them ClamAV
      // cannot convert UTF-16 and code-page text (HTML, OLE2, archive member names).
      GCONV_PATH: paths.gconv,
      // Lambda sets this for /opt/lib; the tools must see only their own libraries.
      LD_LIBRARY_PATH: "",
      // Lambda sets a locale the layer does not carry; the tools would warn on every start.
      LC_ALL: "C",
    },
  };
}

/** Base name of a built layer zip, e.g. `scanner-x86_64.zip`. */
export function layerZipName(kind: LayerKind, arch: LambdaArchitecture): string {
  return `${kind}-${arch}.zip`;
}

/** Where the build writes layer zips, relative to the project root. */
export const LAYER_BUILD_DIR = ".build/layers";

/** Where the build also leaves each layer extracted, for tests and local mode. */
export function extractedLayerDir(projectRoot: string, kind: LayerKind, arch: LambdaArchitecture): string {
  return `${projectRoot}/${LAYER_BUILD_DIR}/${kind}-${arch}`;
}
