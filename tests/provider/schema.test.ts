import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { bucketwardenSchema, SCHEMA_FILE } from "../../provider/infer-schema";

describe("provider: schema.json", function () {
  // The analyzer type-checks the model against @pulumi/aws's typings.
  this.timeout(120_000);

  it("is what npm run schema infers from the components now", () => {
    const committed = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(bucketwardenSchema())));
  });
});
