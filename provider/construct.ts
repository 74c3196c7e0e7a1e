/**
 * Construct for the plugin package: the inputs another language's SDK sends, as provider/schema.json
 * describes them, turned into the TypeScript components' arguments. The components then check them
 * as they check a TypeScript caller's, so every language gets the same refusals.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { DefinitionsStore } from "../components/definitions-store";
import { MalwareScanning, type MalwareScanningArgs } from "../components/malware-scanning";
import { UploadScanner, type UploadScannerArgs } from "../components/upload-scanner";
import { ConfigError } from "../core/errors";
import { type LambdaArchitecture, LambdaArchitectures } from "../core/layer-layout";
import { TriggerKinds } from "../core/settings";
import { DEFAULT_TAG_SCHEMA, type TagSchema, tagSchema } from "../core/tags";
import { PACKAGE_NAME, PLUGIN_COMPONENTS, type PluginComponent } from "./infer-schema";

/** What Construct answers: the component's URN and its outputs, by the schema's output names. */
export interface Constructed {
  urn: pulumi.Output<string>;
  state: Record<string, unknown>;
}

// Inputs arrive as untyped JSON (Outputs where a value is not known yet); the components check them.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type Inputs = Record<string, any>;

/** The component class a type token names, or a {@link ConfigError} for any other token. */
export function componentOf(type: string): PluginComponent {
  const [pkg, module, name] = type.split(":");
  const known = (PLUGIN_COMPONENTS as readonly string[]).includes(name);
  if (pkg !== PACKAGE_NAME || module !== "index" || !known)
    throw new ConfigError("type", `unknown resource type ${type}`);
  return name as PluginComponent;
}

function architectureOf(argument: string, value: unknown): LambdaArchitecture | undefined {
  if (value === undefined) return undefined;
  if (!(LambdaArchitectures as readonly unknown[]).includes(value))
    throw new ConfigError(
      argument,
      `must be one of ${LambdaArchitectures.join(", ")}, got "${String(value)}"`,
    );
  return value as LambdaArchitecture;
}

/** UploadScanner's TypeScript arguments from the schema's inputs (MalwareScanning does this itself). */
export function uploadScannerArgs(inputs: Inputs): UploadScannerArgs {
  const { architecture, trigger, verdictTags, ...rest } = inputs;
  if (trigger !== undefined && !(TriggerKinds as readonly unknown[]).includes(trigger))
    throw new ConfigError("trigger", `must be one of ${TriggerKinds.join(", ")}, got "${String(trigger)}"`);
  const names = Object.fromEntries(Object.keys(DEFAULT_TAG_SCHEMA).map((f) => [f, `verdictTags.${f}`]));
  return {
    ...rest,
    architecture: architectureOf("architecture", architecture),
    trigger,
    // The schema's fields are each optional; the component takes the whole schema.
    verdictTags:
      verdictTags === undefined
        ? undefined
        : tagSchema(verdictTags as Partial<TagSchema>, names as Record<keyof TagSchema, string>),
  } as UploadScannerArgs;
}

/** MalwareScanning's TypeScript arguments from the schema's inputs. */
export function malwareScanningArgs(inputs: Inputs): MalwareScanningArgs {
  const { buckets, bucketNames, architecture, ...rest } = inputs;
  for (const bucket of buckets ?? [])
    if (!aws.s3.Bucket.isInstance(bucket))
      throw new ConfigError(
        "buckets",
        "takes aws.s3.Bucket resources; give existing buckets' names in bucketNames",
      );
  return {
    ...rest,
    // The schema keeps resources and names apart (its types have no unions); the component takes both.
    buckets: [...(buckets ?? []), ...(bucketNames ?? [])],
    architecture: architectureOf("architecture", architecture),
  } as MalwareScanningArgs;
}

/** Builds the component `type` names and reads its outputs. */
export function construct(
  type: string,
  name: string,
  inputs: Inputs,
  options: pulumi.ComponentResourceOptions,
): Constructed {
  switch (componentOf(type)) {
    case "MalwareScanning": {
      const c = new MalwareScanning(name, malwareScanningArgs(inputs), options);
      return {
        urn: c.urn,
        state: {
          definitionsBucketName: c.definitionsBucketName,
          updaterFunctionName: c.updaterFunctionName,
          uploadBucketNames: c.uploadBucketNames,
          scannerFunctionNames: c.scannerFunctionNames,
          uploadBucketPolicies: c.uploadBucketPolicies,
        },
      };
    }
    case "UploadScanner": {
      const c = new UploadScanner(name, uploadScannerArgs(inputs), options);
      return {
        urn: c.urn,
        state: {
          bucketName: c.bucketName,
          bucketArn: c.bucketArn,
          scannerFunctionName: c.scanner.name,
          policy: c.policy,
          queueUrl: c.queue?.url,
          deadLetterQueueUrl: c.deadLetterQueue.url,
        },
      };
    }
    case "DefinitionsStore": {
      const { architecture, ...rest } = inputs;
      const c = new DefinitionsStore(
        name,
        { ...rest, architecture: architectureOf("architecture", architecture) },
        options,
      );
      return {
        urn: c.urn,
        state: {
          bucketName: c.bucketName,
          bucketArn: c.bucketArn,
          prefix: c.prefix,
          updaterFunctionName: c.updater.name,
          initialUpdateStatus: c.initialUpdateStatus,
        },
      };
    }
  }
}
