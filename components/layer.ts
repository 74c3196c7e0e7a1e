import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_RUNTIME } from "../core/artifacts";
import type { LambdaArchitecture, LayerKind } from "../core/layer-layout";
import { childName, layerName } from "../core/naming";
import { layerZipPath, needsS3Upload } from "./artifacts";

export interface ClamavLayerArgs {
  kind: LayerKind;
  architecture: LambdaArchitecture;
  /** Prefix of the layer's name, which AWS does not generate. */
  namePrefix: string;
  /**
   * A private bucket the component already uses (the definitions bucket), where a zip over Lambda's
   * inline upload limit is put first so the layer version can be published from S3.
   */
  stagingBucket: pulumi.Input<string>;
}

/** How the layer reads its zip; replaced in tests to play a zip over the inline limit. */
export interface LayerZipFiles {
  path: (kind: LayerKind, architecture: LambdaArchitecture) => string;
  /** Size in bytes; 0 for a zip not built yet, which Pulumi reports when it reads the archive. */
  size: (file: string) => number;
  /** SHA-256 of the file's bytes, base64, as Lambda's `sourceCodeHash` takes it. */
  sha256: (file: string) => string;
}

const DEFAULT_FILES: LayerZipFiles = {
  path: (kind, architecture) => layerZipPath(kind, architecture),
  size: (file) => (existsSync(file) ? statSync(file).size : 0),
  sha256: (file) => createHash("sha256").update(readFileSync(file)).digest("base64"),
};

/** Key prefix of layer zips uploaded to the staging bucket; outside the definitions' prefix and its lifecycle. */
export const LAYER_STAGING_PREFIX = "bucketwarden-layers/";

/**
 * Publishes one built ClamAV layer zip as a layer version. A zip Lambda takes inline is sent with the
 * request; a bigger one is first uploaded to the staging bucket under a key named by its content,
 * so new bytes publish a new version and the same bytes never do.
 */
export function clamavLayer(
  name: string,
  args: ClamavLayerArgs,
  parent: pulumi.Resource,
  files: LayerZipFiles = DEFAULT_FILES,
): aws.lambda.LayerVersion {
  const zip = files.path(args.kind, args.architecture);
  const common = {
    layerName: layerName(args.namePrefix, args.kind, args.architecture),
    description: `ClamAV ${args.kind} tools for bucketwarden (${args.architecture})`,
    compatibleArchitectures: [args.architecture],
    compatibleRuntimes: [LAMBDA_RUNTIME],
  };
  if (!needsS3Upload(files.size(zip)))
    return new aws.lambda.LayerVersion(
      name,
      { ...common, code: new pulumi.asset.FileArchive(zip) },
      { parent },
    );

  const hash = files.sha256(zip);
  const hex = Buffer.from(hash, "base64").toString("hex").slice(0, 16);
  const object = new aws.s3.BucketObjectv2(
    childName(name, "zip"),
    {
      bucket: args.stagingBucket,
      key: `${LAYER_STAGING_PREFIX}${path.basename(zip, ".zip")}-${hex}.zip`,
      source: new pulumi.asset.FileAsset(zip),
      contentType: "application/zip",
    },
    { parent },
  );
  return new aws.lambda.LayerVersion(
    name,
    { ...common, s3Bucket: object.bucket, s3Key: object.key, sourceCodeHash: hash },
    { parent },
  );
}
