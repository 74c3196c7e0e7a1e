import assert from "node:assert/strict";
import { missingConfigKeys } from "./config-merge";
import { projectConfig, stackFileConfig } from "./run-program";

describe("program: Pulumi.yaml requires nothing a stack may leave out", () => {
  const declared = projectConfig();

  it("the engine's rule reports a typed key without a default as missing (the rule itself)", () => {
    const rule = { photos: { type: "string" as const }, kept: { type: "string" as const, default: "" } };
    assert.deepEqual(missingConfigKeys("bucketwarden", rule, []), ["photos"]);
    assert.deepEqual(missingConfigKeys("bucketwarden", rule, ["bucketwarden:photos"]), []);
    // Keys of another namespace (aws:region) are the provider's business, never required by the project.
    assert.deepEqual(missingConfigKeys("bucketwarden", { "aws:region": { type: "string" } }, []), []);
  });

  it("finds no missing key for the example dev stack", () => {
    assert.deepEqual(missingConfigKeys("bucketwarden", declared, Object.keys(stackFileConfig("dev"))), []);
  });

  it("finds no missing key for a minimal stack: a region and one bucket", () => {
    const minimal = ["aws:region", "bucketwarden:uploadBuckets"];
    assert.deepEqual(missingConfigKeys("bucketwarden", declared, minimal), []);
  });
});
