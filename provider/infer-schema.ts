/**
 * The plugin package's schema, inferred by @pulumi/pulumi's analyzer (its experimental component
 * provider support) from schema-model.ts. Slow (it type-checks the model against @pulumi/aws), so the
 * provider serves the committed schema.json and `npm run schema` writes it.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";

/** The package name: the first part of every type token (`bucketwarden:index:MalwareScanning`). */
export const PACKAGE_NAME = "bucketwarden";
/** The components other languages get, by class name. */
export const PLUGIN_COMPONENTS = ["MalwareScanning", "DefinitionsStore", "UploadScanner"] as const;
export type PluginComponent = (typeof PLUGIN_COMPONENTS)[number];

export const SCHEMA_FILE = path.join(__dirname, "schema.json");
const PACKAGE_JSON = path.join(__dirname, "..", "package.json");

/** The package's version and description, as package.json gives them. */
export function packageInfo(): { version: string; description?: string } {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, "utf8"));
  return { version: pkg.version, description: pkg.description };
}

/** The schema, inferred now from schema-model.ts. */
export function bucketwardenSchema(): ReturnType<typeof generateSchema> {
  const { version, description } = packageInfo();
  const analyzer = new Analyzer(
    __dirname,
    PACKAGE_NAME,
    { name: PACKAGE_NAME, version, main: "schema-model.ts" },
    new Set(PLUGIN_COMPONENTS),
  );
  const { components, typeDefinitions, dependencies } = analyzer.analyze();
  return generateSchema(PACKAGE_NAME, version, description ?? "", components, typeDefinitions, dependencies);
}
