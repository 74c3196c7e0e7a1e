import * as assert from "node:assert/strict";
import { ComponentTypes as Components, ManagedResourceTypes } from "../../../components/types";
import { AwsTypes, ComponentTypes } from "../../../policies/lib/types";

// The pack may not import the components (imports point inward, to the core), so it names their
// type tokens itself; these tests hold the two lists together.
describe("the pack's type tokens", () => {
  it("are the components' own type tokens", () => {
    assert.deepEqual(
      [ComponentTypes.definitionsStore, ComponentTypes.uploadScanner, ComponentTypes.malwareScanning],
      [Components.DefinitionsStore, Components.UploadScanner, Components.MalwareScanning],
    );
  });

  it("spell the AWS resources the components create as the components do", () => {
    const ours: string[] = Object.values(AwsTypes);
    for (const key of [
      "bucket",
      "bucketPolicy",
      "bucketNotification",
      "publicAccessBlock",
      "encryption",
      "layerVersion",
      "function",
      "eventSourceMapping",
      "eventInvokeConfig",
      "queue",
    ] as const) {
      assert.ok(ours.includes(ManagedResourceTypes[key]), ManagedResourceTypes[key]);
    }
  });
});
