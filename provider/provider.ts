/**
 * The component provider Pulumi runs to serve the components to other languages: GetSchema answers
 * the committed schema.json, Construct builds a component with provider/construct.ts.
 */
import { readFileSync } from "node:fs";
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { construct } from "./construct";
import { packageInfo, SCHEMA_FILE } from "./infer-schema";

export class BucketwardenProvider implements provider.Provider {
  readonly version = packageInfo().version;

  async getSchema(): Promise<string> {
    return readFileSync(SCHEMA_FILE, "utf8");
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    return construct(type, name, inputs, options);
  }
}
