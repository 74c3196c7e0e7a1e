/**
 * The README's Python and YAML programs cannot run here (no Pulumi CLI, no AWS), but their property
 * names and shapes can be held to the schema the plugin serves: every property they set exists, on
 * the type the schema gives it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SCHEMA_FILE } from "../../provider/infer-schema";

const README = readFileSync(path.join(__dirname, "../../README.md"), "utf8");
const section = README.slice(README.indexOf("## Other languages"));
// biome-ignore lint/suspicious/noExplicitAny: the schema is JSON.
const schema: any = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));

function block(language: string): string {
  const match = section.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``));
  assert.ok(match, `no ${language} block in the README's plugin section`);
  return match[1];
}

// biome-ignore lint/suspicious/noExplicitAny: schema properties are JSON.
type Property = any;

/** The schema's properties of a `$ref`'d object type. */
function typeProperties(ref: string): Record<string, Property> {
  const token = ref.replace("#/types/", "");
  const type = schema.types[token];
  assert.ok(type, `no type ${token}`);
  return type.properties;
}

/** Checks `value` against a schema property, recursing into objects, maps and arrays. */
function conforms(where: string, value: unknown, property: Property): void {
  if (property.$ref?.startsWith("#/types/")) {
    assert.equal(typeof value, "object", `${where} must be an object`);
    const props = typeProperties(property.$ref);
    for (const [k, v] of Object.entries(value as object)) {
      assert.ok(k in props, `${where}.${k} is not in the schema`);
      conforms(`${where}.${k}`, v, props[k]);
    }
  } else if (property.type === "array") {
    assert.ok(Array.isArray(value), `${where} must be a list`);
    for (const item of value as unknown[]) conforms(`${where}[]`, item, property.items);
  } else if (property.type === "object" && property.additionalProperties) {
    for (const [k, v] of Object.entries(value as object))
      conforms(`${where}.${k}`, v, property.additionalProperties);
  } else if (property.type === "string" && !(typeof value === "string" && value.startsWith("${"))) {
    assert.equal(typeof value, "string", `${where} must be a string`);
  } else if (property.type === "boolean")
    assert.equal(typeof value, "boolean", `${where} must be true or false`);
  else if (property.type === "number") assert.equal(typeof value, "number", `${where} must be a number`);
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe("README: the other-language programs follow the plugin's schema", () => {
  it("sets only MalwareScanning properties in the YAML program, each of its type", () => {
    const program = parse(block("yaml"));
    const scanning = program.resources.scanning;
    assert.equal(scanning.type, "bucketwarden:index:MalwareScanning");
    const resource = schema.resources[scanning.type];
    for (const [k, v] of Object.entries(scanning.properties)) {
      assert.ok(k in resource.inputProperties, `${k} is not an input`);
      conforms(k, v, resource.inputProperties[k]);
    }
    for (const expression of Object.values(program.outputs) as string[]) {
      const output = expression.match(/^\$\{scanning\.(\w+)\}$/)?.[1];
      assert.ok(output && output in resource.properties, `${expression} is not an output`);
    }
  });

  it("uses Python names the SDK generates from the schema", () => {
    const python = block("python");
    const resource = schema.resources["bucketwarden:index:MalwareScanning"];
    // The component and each Args class the SDK generates from a schema type.
    const calls = [...python.matchAll(/bucketwarden\.(\w+)\(/g)];
    assert.ok(calls.length >= 4, "expected the component and its argument classes");
    for (const [, cls] of calls) {
      const token = `bucketwarden:index:${cls.replace(/Args$/, "")}`;
      assert.ok(schema.resources[token] || schema.types[token], `${cls} is not generated from the schema`);
    }
    const keywords = [...python.matchAll(/^\s+([a-z_]+)=/gm)].map((m) => camel(m[1]));
    const known = new Set([
      ...Object.keys(resource.inputProperties),
      ...Object.values(schema.types).flatMap((t) => Object.keys((t as { properties: object }).properties)),
    ]);
    for (const k of keywords) assert.ok(known.has(k), `${k} is not a schema property`);
    for (const [, output] of python.matchAll(/scanning\.([a-z_]+)\)/g))
      assert.ok(camel(output) in resource.properties, `${output} is not an output`);
  });
});
