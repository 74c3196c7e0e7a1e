import assert from "node:assert/strict";
import { CopyObjectCommand, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { stampKeyKey } from "../../../core/stamp";
import { DefinitionsError } from "../../../handlers/shared/errors";
import { bodyBytes } from "../../../handlers/shared/s3";
import { ensureStampKey, readStampKey } from "../../../handlers/shared/stamp-key";
import { createDefinitionsBucket, createUploadBucket, tagsOf, upload } from "../support/buckets";
import { scannerConfig, testDefinitions, testScanner } from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

const PREFIX = "clamav/";

describe("handlers/shared/stamp-key on the real store", () => {
  it("creates the key once and never replaces it, even when two updaters race", async () => {
    const owner = await clientAs("owner");
    const at = { bucket: await createDefinitionsBucket(), prefix: PREFIX };
    const created = await Promise.all([ensureStampKey(owner, at), ensureStampKey(owner, at)]);
    assert.deepEqual(created.filter(Boolean).length, 1);
    const first = await readStampKey(owner, at);
    assert.equal(first.length, 32);
    assert.equal(await ensureStampKey(owner, at), false);
    assert.deepEqual(await readStampKey(owner, at), first);
  });

  it("says the updater has not created the key yet when it is missing", async () => {
    const at = { bucket: await createDefinitionsBucket(), prefix: PREFIX };
    await assert.rejects(
      readStampKey(await clientAs("scanner"), at),
      (e: unknown) => e instanceof DefinitionsError && /no scan stamp key/.test(e.message),
    );
  });

  it("is created by the updater beside the manifest it publishes", async () => {
    const { bucket } = await testDefinitions();
    const res = await (await clientAs("owner")).send(
      new GetObjectCommand({ Bucket: bucket, Key: stampKeyKey(PREFIX) }),
    );
    assert.equal((await bodyBytes(res.Body)).length, 32);
  });

  it("leaves objects unscanned and untagged while the definitions have no stamp key", async function () {
    this.timeout(120_000);
    // The published definitions, copied without their key.
    const owner = await clientAs("owner");
    const source = (await testDefinitions()).bucket;
    const target = await createDefinitionsBucket();
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: source, Prefix: PREFIX }));
    for (const o of listed.Contents ?? []) {
      if (o.Key === stampKeyKey(PREFIX)) continue;
      await owner.send(
        new CopyObjectCommand({ Bucket: target, Key: o.Key, CopySource: `${source}/${o.Key}` }),
      );
    }
    const bucket = await createUploadBucket();
    const scanner = await testScanner(await scannerConfig(target));
    try {
      await upload(bucket, "eicar.com", EICAR);
      const results = await scanner.scanObjects([{ bucket, key: "eicar.com" }]);
      assert.equal(results[0].outcome, "failed");
      assert.deepEqual(await tagsOf(bucket, "eicar.com"), {});
    } finally {
      await scanner.close();
    }
  });
});
