import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { HandlerNames, handlerBundleDir } from "../../core/artifacts";
import { scannerEnvironment, updaterEnvironment } from "../../core/handler-config";
import { buildHandlers } from "../../handlers/build";
import { createDefinitionsBucket, createUploadBucket, tagsOf, upload } from "./support/buckets";
import { sqsEvent } from "./support/events";
import { scratchDir, testDefinitions } from "./support/handlers";
import { TestMirror } from "./support/mirror";
import { EICAR, eicarNdb } from "./support/signatures";
import { testStore } from "./support/store";
import { layerRoot } from "./support/tools";

const run = promisify(execFile);
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Runs a bundle's `handler` in a fresh Node process, as Lambda would, with only `env` to go on. */
async function invokeBundle(dir: string, env: Record<string, string>, event: unknown) {
  // The scanner's clamd would keep the process alive (Lambda freezes it instead): exit when done.
  const script = `require(${JSON.stringify(`${dir}/index.js`)}).handler(${JSON.stringify(event)})
    .then((r) => { console.log("RESULT " + JSON.stringify(r)); process.exit(0); },
          (e) => { console.log("ERROR " + e.message); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ["-e", script], {
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: 120_000,
  });
  const lines = stdout.trim().split("\n");
  const result = lines.find((l) => l.startsWith("RESULT "));
  const logs = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result: result ? JSON.parse(result.slice(7)) : undefined, logs };
}

describe("handler bundles", () => {
  let outRoot: string;

  before(async function () {
    this.timeout(120_000);
    outRoot = scratchDir("bundle-a");
    await buildHandlers(outRoot);
  });

  it("are the same bytes when built twice", async function () {
    this.timeout(120_000);
    const again = scratchDir("bundle-b");
    await buildHandlers(again);
    for (const name of HandlerNames) {
      const file = `${handlerBundleDir(outRoot, name)}/index.js`;
      assert.equal(sha256(file), sha256(`${handlerBundleDir(again, name)}/index.js`), name);
      assert.ok(!readFileSync(file, "utf8").includes(outRoot), "no build-machine paths in the bundle");
    }
  });

  it("run the scanner from its environment alone and log one JSON line per verdict", async function () {
    this.timeout(120_000);
    const store = await testStore();
    const definitionsBucket = (await testDefinitions()).bucket;
    const bucket = await createUploadBucket();
    await upload(bucket, "bundle/eicar.txt", EICAR);
    const env = scannerEnvironment({
      definitionsBucket,
      s3Endpoint: store.endpoint,
      s3ForcePathStyle: true,
      layerRoot: layerRoot("scanner"),
      workDir: scratchDir("bundle-scan"),
    });
    const { result, logs } = await invokeBundle(
      handlerBundleDir(outRoot, "scanner"),
      {
        ...env,
        AWS_REGION: store.region,
        AWS_ACCESS_KEY_ID: store.users.scanner.accessKeyId,
        AWS_SECRET_ACCESS_KEY: store.users.scanner.secretAccessKey,
      },
      sqsEvent([{ id: "m1", objects: [{ bucket, key: "bundle/eicar.txt" }] }]),
    );

    assert.deepEqual(result, { batchItemFailures: [] });
    assert.equal((await tagsOf(bucket, "bundle/eicar.txt")).Infected, "true");
    const verdict = logs.find((l) => l.message === "verdict");
    assert.ok(verdict, "a verdict line");
    assert.equal(verdict.level, "INFO");
    assert.equal(verdict.key, "bundle/eicar.txt");
    assert.equal(verdict.signature, "Bucketwarden.Test.Eicar.UNOFFICIAL");
  });

  it("run the updater from its environment alone and publish", async function () {
    this.timeout(120_000);
    const store = await testStore();
    const mirror = await new TestMirror().start();
    try {
      mirror.set("bw.ndb", eicarNdb());
      const env = updaterEnvironment({
        definitionsBucket: await createDefinitionsBucket(),
        s3Endpoint: store.endpoint,
        s3ForcePathStyle: true,
        layerRoot: layerRoot("freshclam"),
        workDir: scratchDir("bundle-upd"),
        officialDatabases: false,
        customDatabaseUrls: [mirror.url("bw.ndb")],
        minUpdateIntervalSeconds: 0,
      });
      const { result } = await invokeBundle(
        handlerBundleDir(outRoot, "updater"),
        {
          ...env,
          AWS_REGION: store.region,
          AWS_ACCESS_KEY_ID: store.users.owner.accessKeyId,
          AWS_SECRET_ACCESS_KEY: store.users.owner.secretAccessKey,
        },
        {},
      );
      assert.equal(result?.status, "published");
      assert.deepEqual(result?.uploaded, ["bw.ndb"]);
    } finally {
      await mirror.stop();
    }
  });
});
