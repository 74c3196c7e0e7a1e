import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_RUNTIME } from "../core/artifacts";
import { LAYER_BUILD_DIR, type LambdaArchitecture, type LayerKind, layerZipName } from "../core/layer-layout";
import { layerName } from "../core/naming";

export interface ClamavLayerArgs {
  kind: LayerKind;
  architecture: LambdaArchitecture;
  /** Prefix of the layer's name, which AWS does not generate. */
  namePrefix: string;
  projectRoot: string;
}

/** Publishes one built ClamAV layer zip (`.build/layers/<kind>-<arch>.zip`) as a layer version. */
export function clamavLayer(
  name: string,
  args: ClamavLayerArgs,
  parent: pulumi.Resource,
): aws.lambda.LayerVersion {
  const zip = `${args.projectRoot}/${LAYER_BUILD_DIR}/${layerZipName(args.kind, args.architecture)}`;
  return new aws.lambda.LayerVersion(
    name,
    {
      layerName: layerName(args.namePrefix, args.kind, args.architecture),
      description: `ClamAV ${args.kind} tools for bucketwarden (${args.architecture})`,
      code: new pulumi.asset.FileArchive(zip),
      compatibleArchitectures: [args.architecture],
      compatibleRuntimes: [LAMBDA_RUNTIME],
    },
    { parent },
  );
}
