import assert from "node:assert/strict";
import { SETTINGS } from "../../core/settings";
import { projectConfig, stackConfig } from "./run-program";

describe("program: Pulumi.yaml declares the stack settings", () => {
  const declared = projectConfig();

  it("declares exactly the settings the program reads", () => {
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(SETTINGS).sort());
  });

  for (const [key, spec] of Object.entries(SETTINGS)) {
    it(`declares ${key} with the parser's type and default, and documents it`, () => {
      const d = declared[key];
      assert.ok(d, `${key} is not declared`);
      assert.equal(d.type, spec.type);
      if (spec.type === "array") assert.deepEqual(d.items, { type: "string" });
      assert.deepEqual(d.default, spec.default);
      assert.ok((d.description ?? "").length > 20, `${key} needs a description`);
    });
  }

  it("leaves no setting of the example stack undeclared", () => {
    const unknown = Object.keys(stackConfig("dev"))
      .filter((k) => k.startsWith("bucketwarden:"))
      .map((k) => k.slice("bucketwarden:".length))
      .filter((k) => !(k in declared));
    assert.deepEqual(unknown, []);
  });
});
