import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../components";
import { ComponentTypes, ManagedResourceTypes, TaggableResourceTypes } from "../../components/types";
import { installPulumiMocks, type RecordedResource } from "../support/pulumi-mocks";
import { componentTree } from "./graph";

const TAGS = { team: "storage", costCentre: "cc-42" };

function load(): typeof Components {
  return require("../../components");
}

/** Whether `@pulumi/aws`'s typings give the resource type's arguments a `tags` field. */
function acceptsTags(type: string): boolean {
  const parts = /^aws:([^/]+)\/([^:]+):(.+)$/.exec(type);
  if (!parts) throw new Error(`not an AWS resource type: ${type}`);
  const [, module, file, resource] = parts;
  const typings = readFileSync(
    path.join(path.dirname(require.resolve("@pulumi/aws/package.json")), module, `${file}.d.ts`),
    "utf8",
  );
  const start = typings.indexOf(`export interface ${resource}Args {`);
  if (start < 0) throw new Error(`no ${resource}Args in ${module}/${file}.d.ts`);
  return /\n {4}tags\?:/.test(typings.slice(start, typings.indexOf("\n}", start)));
}

const awsResources = (tree: RecordedResource[]) => tree.filter((r) => r.type.startsWith("aws:"));

describe("components: resource tags", () => {
  it("lists as taggable exactly the managed types whose arguments take tags", () => {
    const expected = Object.values(ManagedResourceTypes).filter(acceptsTags).sort();
    assert.deepEqual(Object.values(TaggableResourceTypes).sort(), expected);
  });

  describe("on MalwareScanning, with a queue-triggered and a direct-triggered bucket", () => {
    let tree: RecordedResource[];
    before(async () => {
      const rec = installPulumiMocks();
      const { MalwareScanning } = load();
      new MalwareScanning("scanning", {
        uploadBuckets: {
          photos: { newBucket: true },
          avatars: { existingBucketName: "acme-avatars", adoptExistingBucket: true, trigger: "direct" },
        },
        // An Output, as a stack's tags often are.
        tags: pulumi.output(TAGS),
      });
      await rec.settle();
      tree = componentTree(rec, ComponentTypes.MalwareScanning, "scanning");
    });

    it("puts them on every resource whose type takes tags", () => {
      const taggable = awsResources(tree).filter((r) => acceptsTags(r.type));
      assert.ok(taggable.length > 10, `only ${taggable.length} taggable resources recorded`);
      for (const r of taggable)
        assert.deepEqual(r.inputs.tags, TAGS, `${r.type} ${r.name} carries ${JSON.stringify(r.inputs.tags)}`);
    });

    it("reaches buckets, functions, roles, queues, log groups, rules, alarms and event source mappings", () => {
      const tagged = new Set(
        awsResources(tree)
          .filter((r) => r.inputs.tags !== undefined)
          .map((r) => r.type),
      );
      // Layer zips this size go inline, so no zip is staged in S3 (tests/components/layer.test.ts tags one).
      const expected = Object.values(TaggableResourceTypes).filter(
        (t) => t !== TaggableResourceTypes.bucketObject,
      );
      assert.deepEqual([...tagged].sort(), expected.sort());
    });

    it("leaves resources that take no tags without them", () => {
      for (const r of awsResources(tree).filter((x) => !acceptsTags(x.type)))
        assert.equal(r.inputs.tags, undefined, `${r.type} ${r.name}`);
    });
  });

  it("adds no tags when none are given", async () => {
    const rec = installPulumiMocks();
    const { DefinitionsStore } = load();
    new DefinitionsStore("untagged", {});
    await rec.settle();
    const tree = componentTree(rec, ComponentTypes.DefinitionsStore, "untagged");
    assert.deepEqual(
      awsResources(tree).filter((r) => r.inputs.tags !== undefined),
      [],
    );
  });

  it("lets a scanner's own tags win over MalwareScanning's for the same key", async () => {
    const rec = installPulumiMocks();
    const { MalwareScanning } = load();
    new MalwareScanning("nested", {
      uploadBuckets: { photos: { newBucket: true } },
      tags: TAGS,
      scanner: { tags: { team: "uploads" } },
      definitions: { tags: { tier: "shared" } },
    });
    await rec.settle();
    const scanner = componentTree(rec, ComponentTypes.UploadScanner, "nested-photos");
    const store = componentTree(rec, ComponentTypes.DefinitionsStore, "nested-definitions");
    for (const r of awsResources(scanner).filter((x) => acceptsTags(x.type)))
      assert.deepEqual(r.inputs.tags, { ...TAGS, team: "uploads" }, `${r.type} ${r.name}`);
    for (const r of awsResources(store).filter((x) => acceptsTags(x.type)))
      assert.deepEqual(r.inputs.tags, { ...TAGS, tier: "shared" }, `${r.type} ${r.name}`);
  });
});
