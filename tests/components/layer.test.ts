import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type * as Artifacts from "../../components/artifacts";
import type * as Layer from "../../components/layer";
import type * as ResourceTagsModule from "../../components/resource-tags";
import { ManagedResourceTypes as T } from "../../components/types";
import { installPulumiMocks, type PulumiRecorder, type RecordedResource } from "../support/pulumi-mocks";
import { archivePath } from "./graph";

// After the mocks are installed: mocha runs every test file in one process, and mocks are global.
const load = () => ({
  ...(require("../../components/layer") as typeof Layer),
  ...(require("../../components/artifacts") as typeof Artifacts),
  ...(require("../../components/resource-tags") as typeof ResourceTagsModule),
});

const TAGS = { team: "storage" };
const ZIP = "/artefacts/layers/scanner-arm64.zip";
// base64 of 32 bytes 0x01..0x20, hex 0102030405060708...
const HASH = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1)).toString("base64");

/** Plays a zip of `bytes` without reading any file. */
const zipOf = (bytes: number): Layer.LayerZipFiles => ({
  path: () => ZIP,
  size: () => bytes,
  sha256: () => HASH,
});

describe("components/layer: publishing a layer zip", () => {
  let rec: PulumiRecorder;
  before(() => {
    rec = installPulumiMocks();
  });

  function publish(name: string, bytes: number): void {
    const { clamavLayer, withResourceTags } = load();
    const parent = new pulumi.ComponentResource(
      "test:index:Parent",
      name,
      {},
      withResourceTags(undefined, TAGS),
    );
    clamavLayer(
      `${name}-layer`,
      { kind: "scanner", architecture: "arm64", namePrefix: name, stagingBucket: "defs-bucket" },
      parent,
      zipOf(bytes),
    );
  }

  it("switches to S3 only above Lambda's 50 MB inline limit", () => {
    const { needsS3Upload, LAMBDA_INLINE_ZIP_LIMIT_BYTES } = load();
    assert.equal(LAMBDA_INLINE_ZIP_LIMIT_BYTES, 52_428_800);
    const cases: Array<[number, boolean]> = [
      [0, false],
      [30 * 1024 * 1024, false],
      [LAMBDA_INLINE_ZIP_LIMIT_BYTES, false],
      [LAMBDA_INLINE_ZIP_LIMIT_BYTES + 1, true],
    ];
    for (const [bytes, s3] of cases) assert.equal(needsS3Upload(bytes), s3, `${bytes} bytes`);
  });

  it("sends a zip within the limit inline, staging nothing", async () => {
    publish("small", 30 * 1024 * 1024);
    await rec.settle();
    const layer = rec.one(T.layerVersion, "small-layer");
    assert.equal(await archivePath(layer.inputs.code), ZIP);
    assert.equal(layer.inputs.s3Bucket, undefined);
    assert.deepEqual(
      rec.ofType(T.bucketObject).filter((r) => r.name.startsWith("small")),
      [],
    );
  });

  describe("a zip over the limit", () => {
    let layer: RecordedResource;
    let object: RecordedResource;
    before(async () => {
      publish("big", 60 * 1024 * 1024);
      await rec.settle();
      layer = rec.one(T.layerVersion, "big-layer");
      object = rec.one(T.bucketObject, "big-layer-zip");
    });

    it("is uploaded to the staging bucket under a key named by its content", async () => {
      assert.equal(object.inputs.bucket, "defs-bucket");
      assert.equal(object.inputs.key, "bucketwarden-layers/scanner-arm64-0102030405060708.zip");
      assert.equal(await archivePath(object.inputs.source), ZIP);
    });

    it("is published from that object, with its hash, and not inline", () => {
      assert.equal(layer.inputs.code, undefined);
      assert.equal(layer.inputs.s3Bucket, "defs-bucket");
      assert.equal(layer.inputs.s3Key, object.inputs.key);
      assert.equal(layer.inputs.sourceCodeHash, HASH);
      assert.ok(layer.dependencies.includes(object.urn), "the layer waits for the upload");
    });

    it("carries the component's resource tags on the staged object", () => {
      assert.deepEqual(object.inputs.tags, TAGS);
    });
  });
});
