/**
 * Writes the plugin package's schema (provider/schema.json): what `pulumi package add` generates
 * other languages' SDKs from. Inferred by @pulumi/pulumi's analyzer from provider/schema-model.ts,
 * the components' arguments in the subset of TypeScript it reads, then formatted as the repository's
 * formatter wants it. `--check` exits 1, writing nothing, when the file says anything else.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { bucketwardenSchema, SCHEMA_FILE } from "../provider/infer-schema";

const schema = JSON.parse(JSON.stringify(bucketwardenSchema()));
if (process.argv.includes("--check")) {
  let current: unknown;
  try {
    current = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
  } catch {}
  if (!isDeepStrictEqual(current, schema)) {
    console.error(`${path.relative(process.cwd(), SCHEMA_FILE)} is not current: run npm run schema`);
    process.exit(1);
  }
} else {
  writeFileSync(SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
  const biome = path.join(__dirname, "..", "node_modules", ".bin", "biome");
  execFileSync(biome, ["format", "--write", SCHEMA_FILE], { stdio: "ignore" });
}
