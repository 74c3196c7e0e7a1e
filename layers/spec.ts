/**
 * What goes into the layers: which Debian packages, which files of them, and the default
 * configuration. Everything else (the libraries) is found by following the tools' ELF dependencies.
 */
import type { ClamTool, LambdaArchitecture, LayerKind } from "../core/layer-layout";

/** The ClamAV release the layers carry; apt must offer a Debian revision of exactly this version. */
export const CLAMAV_VERSION = "1.4.6";

/**
 * Binary packages built from Debian's `clamav` source. They are pinned to {@link CLAMAV_VERSION}
 * (the newest Debian revision of it) so that a newer ClamAV in the archive is a deliberate change.
 */
export const ClamavPackages = [
  "clamav",
  "clamav-daemon",
  "clamdscan",
  "clamav-freshclam",
  "libclamav12",
] as const;

/** The package and path of each tool, as Debian ships it. */
export const ToolSources = {
  freshclam: { pkg: "clamav-freshclam", path: "usr/bin/freshclam" },
  clamscan: { pkg: "clamav", path: "usr/bin/clamscan" },
  clamd: { pkg: "clamav-daemon", path: "usr/sbin/clamd" },
  clamdscan: { pkg: "clamdscan", path: "usr/bin/clamdscan" },
} as const satisfies Record<ClamTool, { pkg: string; path: string }>;

/** A library loaded with `dlopen`, which no `DT_NEEDED` entry reveals. */
export interface DlopenedLibrary {
  /** The soname of the object that loads it. */
  loadedBy: string;
  soname: string;
  pkg: string;
  /** Built without it when apt has no such package; the manifest records why. */
  optional: boolean;
  /** What is lost without it. */
  without: string;
}

export const DlopenedLibraries: readonly DlopenedLibrary[] = [
  {
    // Debian's clamav is the +dfsg source with RAR support split out; libclamunrar12 is in the
    // non-free component, which a default Debian apt source list does not enable.
    loadedBy: "libclamav.so.12",
    soname: "libclamunrar_iface.so.12",
    pkg: "libclamunrar12",
    optional: true,
    without: "RAR archives are not unpacked (their members are not scanned)",
  },
];

/**
 * Layers that get glibc's iconv modules (libc6's `gconv/` folder, 8 MiB). libclamav converts UTF-16
 * and code-page text with `iconv_open`, which loads them with dlopen; without them it logs
 * "Encoding not accepted by iconv_open()" and scans that text unconverted. The freshclam layer's
 * clamscan only proves a database loads, so it goes without.
 */
export const GconvLayers: readonly LayerKind[] = ["scanner"];

/** Where libc6 keeps its iconv modules. */
export function gconvSourceDir(arch: LambdaArchitecture): string {
  return `usr/lib/${DebianTriplets[arch]}/gconv`;
}

/** The package whose certificates become the CA bundle of the freshclam layer. */
export const CA_PACKAGE = "ca-certificates";

/** Where {@link CA_PACKAGE} keeps the certificates that update-ca-certificates concatenates. */
export const CA_SOURCE_DIR = "usr/share/ca-certificates/mozilla";

/** Debian's multiarch triplet, the library folder of each architecture. */
export const DebianTriplets = {
  x86_64: "x86_64-linux-gnu",
  arm64: "aarch64-linux-gnu",
} as const satisfies Record<LambdaArchitecture, string>;

/** The default `clamav/etc/freshclam.conf`: a Lambda function can only write under /tmp. */
export const DEFAULT_FRESHCLAM_CONF = `# Default configuration of the bucketwarden freshclam layer.
# Lambda lets a function write only under /tmp; the caller creates this folder first.
DatabaseDirectory /tmp/clamav
# The official mirrors; a private mirror replaces this line with PrivateMirror.
DatabaseMirror database.clamav.net
# Keep Lambda's time budget: give up on a stalled mirror rather than hang until the timeout.
ConnectTimeout 30
ReceiveTimeout 300
# No log file, no pid file: there is nowhere durable to keep them. Output goes to stdout.
# DatabaseOwner only matters when freshclam runs as root (it then drops to that user).
`;
