/** Errors of the layer build. Every failure stops the build: a layer missing a library is never shipped. */

import { BucketwardenError } from "../core/errors";

/** Base of every layer build error; under the project's one error root. */
export class LayerBuildError extends BucketwardenError {}

/** A command the build runs (apt-get, dpkg-deb, patchelf) failed. */
export class CommandError extends LayerBuildError {
  constructor(
    readonly command: readonly string[],
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`${command.join(" ")} failed: ${stderr.trim().split("\n").slice(-3).join(" / ")}`, options);
  }
}

/** apt knows no downloadable version of a package the layers need. */
export class PackageUnavailableError extends LayerBuildError {
  constructor(
    readonly pkg: string,
    readonly wanted: string,
  ) {
    super(`apt has no ${wanted} version of ${pkg}`);
  }
}

/** No package that an object depends on ships a library it needs. */
export class MissingLibraryError extends LayerBuildError {
  constructor(
    readonly soname: string,
    readonly neededBy: string,
    readonly searched: readonly string[],
  ) {
    super(`${soname}, needed by ${neededBy}, is in none of ${searched.join(", ")}`);
  }
}

/** An ELF file is not what the build expects (wrong architecture, unreadable format). */
export class ElfError extends LayerBuildError {}

/** A layer would exceed Lambda's unzipped size limit. */
export class LayerSizeError extends LayerBuildError {
  constructor(
    readonly layer: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`${layer} unzips to ${bytes} bytes, over Lambda's limit of ${limit}`);
  }
}
