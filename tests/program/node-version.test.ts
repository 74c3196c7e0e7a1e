import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { LAMBDA_RUNTIME } from "../../core/artifacts";
import { PROJECT_ROOT } from "./run-program";

/** Node 20 is past its end of life and @pulumi/pulumi 3.270 declares node >=22: every place agrees on 22. */
describe("program: one Node major everywhere, 22", () => {
  const major = 22;
  const json = (file: string) => JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), "utf8"));

  it("deploys the functions on the nodejs22.x runtime", () => {
    assert.equal(LAMBDA_RUNTIME, `nodejs${major}.x`);
  });

  for (const file of ["package.json", "policies/package.json"])
    it(`declares engines node >=${major} in ${file}`, () =>
      assert.equal(json(file).engines?.node, `>=${major}`));

  it(`previews in CI on Node ${major}`, () => {
    const workflow = parse(readFileSync(path.join(PROJECT_ROOT, ".github/workflows/preview.yml"), "utf8"));
    const setups = Object.values(
      workflow.jobs as Record<string, { steps: { uses?: string; with?: { "node-version"?: unknown } }[] }>,
    )
      .flatMap((job) => job.steps)
      .filter((s) => s.uses?.startsWith("actions/setup-node"));
    assert.ok(setups.length > 0);
    for (const s of setups) assert.equal(String(s.with?.["node-version"]), String(major));
  });

  it(`tells the reader to install Node.js ${major}`, () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    assert.match(readme, new RegExp(`Node\\.js ${major} or newer`));
    assert.doesNotMatch(readme, /Node\.js 20 or newer/);
  });
});
