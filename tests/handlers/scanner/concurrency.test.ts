import assert from "node:assert/strict";
import type { ObjectResult } from "../../../handlers/scanner/results";
import { type Scanner, serialScanThresholdBytes } from "../../../handlers/scanner/scanner";
import { createUploadBucket, tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { scannerConfig, testDefinitions, testScanner } from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs } from "../support/store";

describe("scanner: /tmp holds one large object at a time", () => {
  const table: Array<[number, number]> = [
    [1, 256 * 1024 * 1024],
    [2, 128 * 1024 * 1024],
    [4, 64 * 1024 * 1024],
  ];
  for (const [concurrency, bytes] of table)
    it(`scans objects up to ${bytes / 1024 / 1024} MB beside others at concurrency ${concurrency}`, () =>
      assert.equal(serialScanThresholdBytes(concurrency), bytes));

  describe("on the real store and engine", () => {
    let scanner: Scanner | undefined;
    after(() => scanner?.close());

    it("scans objects over the threshold one after another, even two scans at a time", async function () {
      this.timeout(180_000);
      const definitionsBucket = (await testDefinitions()).bucket;
      const bucket = await createUploadBucket();
      const big = Buffer.concat([Buffer.alloc(20_000, 0x61), EICAR]);
      await upload(bucket, "large-1.bin", big);
      await upload(bucket, "large-2.bin", big);
      const s3 = await clientAs("scanner");
      // Each request to the upload bucket, when it starts and when it ends.
      const steps: string[] = [];
      s3.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { Bucket?: string; Key?: string };
          if (input.Bucket !== bucket) return next(args);
          steps.push(`start ${context.commandName} ${input.Key}`);
          const output = await next(args);
          steps.push(`end ${context.commandName} ${input.Key}`);
          return output;
        },
        { step: "initialize", name: "record-steps" },
      );
      scanner = await testScanner(await scannerConfig(definitionsBucket), {
        s3,
        concurrency: 2,
        serialAboveBytes: 10_000,
      });
      const { results } = (await scanner.handle(
        s3Event(
          { bucket, key: "large-1.bin", size: big.length },
          { bucket, key: "large-2.bin", size: big.length },
        ),
      )) as { results: ObjectResult[] };

      assert.deepEqual(
        results.map((r) => r.outcome),
        ["tagged", "tagged"],
      );
      const firstTagged = steps.indexOf("end PutObjectTaggingCommand large-1.bin");
      const secondRead = steps.indexOf("start GetObjectCommand large-2.bin");
      assert.ok(
        firstTagged >= 0 && secondRead > firstTagged,
        `the second waited for the first:\n${steps.join("\n")}`,
      );
      assert.equal((await tagsOf(bucket, "large-2.bin")).Infected, "true");
    });
  });
});
