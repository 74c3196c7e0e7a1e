import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { normalizeTable, readmeReference, settingsReference } from "../../scripts/settings-reference";

const root = join(__dirname, "..", "..");
const pulumiYaml = readFileSync(join(root, "Pulumi.yaml"), "utf8");

describe("the README's stack-settings reference", () => {
  it("is exactly what Pulumi.yaml declares, so it cannot drift from the settings the program reads", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const current = readmeReference(readme);
    assert.ok(current, "README.md has no generated settings reference");
    assert.equal(normalizeTable(current), normalizeTable(settingsReference(pulumiYaml)));
  });

  it("ignores a formatter's column padding but not a changed default", () => {
    const table = settingsReference(pulumiYaml);
    const padded = table.replace("| setting |", "| setting      |").replace("|---|", "| ------ |");
    assert.equal(normalizeTable(padded), normalizeTable(table));
    const changed = table.replace(
      "`bucketwarden:failClosed` | boolean | `true`",
      "`bucketwarden:failClosed` | boolean | `false`",
    );
    assert.notEqual(normalizeTable(changed), normalizeTable(table));
  });

  it("has one row per declared setting, each with its default", () => {
    const declared = Object.keys((parse(pulumiYaml) as { config: object }).config);
    const table = settingsReference(pulumiYaml);
    for (const key of declared) assert.match(table, new RegExp(`\\| \`bucketwarden:${key}\` \\|`));
    assert.equal(table.split("\n").filter((l) => l.startsWith("| `bucketwarden:")).length, declared.length);
    assert.match(table, /`bucketwarden:failClosed` \| boolean \| `true` \|/);
  });
});
