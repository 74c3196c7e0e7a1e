import assert from "node:assert/strict";
import type * as Components from "../../components";
import { ConfigError } from "../../core/errors";
import * as size from "../../core/sizing";
import { installPulumiMocks } from "../support/pulumi-mocks";

const DEFINITIONS = { bucketName: "defs", bucketArn: "arn:aws:s3:::defs", prefix: "clamav/" };

function load(): typeof Components {
  return require("../../components");
}

/** Asserts that `build` throws a ConfigError naming `argument`. */
function refuses(build: () => unknown, argument: string): void {
  assert.throws(build, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.setting, argument);
    return true;
  });
}

let unique = 0;
const name = () => `checked-${unique++}`;

describe("components: argument checks shared with the stack settings", () => {
  before(() => {
    installPulumiMocks();
  });

  const scannerCases: Array<[string, Partial<Components.UploadScannerArgs>, string]> = [
    ["memory too small for the official database", { memoryMb: 256 }, "memoryMb"],
    ["memory above Lambda's maximum", { memoryMb: 20_000 }, "memoryMb"],
    ["a fraction of a megabyte of memory", { memoryMb: 2048.5 }, "memoryMb"],
    ["a timeout shorter than a cold start", { timeoutSeconds: 30 }, "timeoutSeconds"],
    ["a timeout above Lambda's 900 s", { timeoutSeconds: 901 }, "timeoutSeconds"],
    ["/tmp above Lambda's maximum", { ephemeralStorageMb: 20_000 }, "ephemeralStorageMb"],
    ["/tmp too small for the largest object", { ephemeralStorageMb: 600 }, "ephemeralStorageMb"],
    ["a concurrency of one", { maxConcurrency: 1 }, "maxConcurrency"],
    ["a batch of zero", { batchSize: 0 }, "batchSize"],
    ["a batch above SQS's ten", { batchSize: 11 }, "batchSize"],
    ["objects larger than the engine scans", { maxObjectBytes: 5_000_000_000 }, "maxObjectBytes"],
    ["a queue-age alarm under a minute", { oldestMessageAlarmSeconds: 10 }, "oldestMessageAlarmSeconds"],
    ["a log retention CloudWatch does not offer", { logRetentionDays: 10 }, "logRetentionDays"],
  ];
  for (const [what, bad, argument] of scannerCases) {
    it(`UploadScanner refuses ${what}, naming ${argument}`, () => {
      const { UploadScanner } = load();
      refuses(
        () => new UploadScanner(name(), { newBucket: true, definitions: DEFINITIONS, ...bad }),
        argument,
      );
    });
    it(`MalwareScanning refuses ${what} for its scanners, naming ${argument}`, () => {
      const { MalwareScanning } = load();
      refuses(
        () =>
          new MalwareScanning(name(), {
            uploadBuckets: { photos: { newBucket: true } },
            scanner: bad,
          }),
        argument,
      );
    });
  }

  it("lets a scanner reading only a small custom database run in 512 MB", () => {
    const { UploadScanner } = load();
    assert.doesNotThrow(
      () =>
        new UploadScanner(name(), {
          newBucket: true,
          definitions: { ...DEFINITIONS, officialDatabases: false },
          memoryMb: size.minimumScannerMemoryMb(false),
        }),
    );
  });

  it("holds MalwareScanning's scanners to the official database's floor unless it is off", () => {
    const { MalwareScanning } = load();
    const build = (officialDatabases: boolean) =>
      new MalwareScanning(name(), {
        uploadBuckets: { photos: { newBucket: true } },
        definitions: { officialDatabases, memoryMb: 1024 },
        scanner: { memoryMb: 1024 },
      });
    refuses(() => build(true), "memoryMb");
    assert.doesNotThrow(() => build(false));
  });

  const updaterCases: Array<[string, Partial<Components.DefinitionsStoreArgs>, string]> = [
    ["updater memory too small for the official database", { memoryMb: 256 }, "memoryMb"],
    ["an updater timeout under two minutes", { timeoutSeconds: 60 }, "timeoutSeconds"],
    ["updater /tmp too small for two databases", { ephemeralStorageMb: 512 }, "ephemeralStorageMb"],
    ["a log retention CloudWatch does not offer", { logRetentionDays: 2 }, "logRetentionDays"],
  ];
  for (const [what, bad, argument] of updaterCases)
    it(`DefinitionsStore refuses ${what}, naming ${argument}`, () => {
      const { DefinitionsStore } = load();
      refuses(() => new DefinitionsStore(name(), { ...bad }), argument);
    });

  it("accepts every default", () => {
    const { MalwareScanning, UploadScanner, DefinitionsStore } = load();
    assert.doesNotThrow(() => new DefinitionsStore(name(), {}));
    assert.doesNotThrow(() => new UploadScanner(name(), { newBucket: true, definitions: DEFINITIONS }));
    assert.doesNotThrow(
      () => new MalwareScanning(name(), { uploadBuckets: { photos: { newBucket: true } } }),
    );
  });
});
