import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { definitionsFileKey, manifestKey, parseManifest } from "../../../core/manifest";
import { UpdateError } from "../../../handlers/shared/errors";
import { bodyBytes } from "../../../handlers/shared/s3";
import { freshclamStateKey } from "../../../handlers/updater/state";
import { UpdateStatus } from "../../../handlers/updater/updater";
import { verifyDatabase } from "../../../handlers/updater/verify";
import { createDefinitionsBucket } from "../support/buckets";
import { RecordingLog, scratchDir, testUpdater, updaterConfig } from "../support/handlers";
import { TestMirror } from "../support/mirror";
import { clamExeHdb, eicarNdb, markerNdb } from "../support/signatures";
import { clientAs } from "../support/store";
import { testTools } from "../support/tools";

async function readPublishedManifest(bucket: string) {
  const owner = await clientAs("owner");
  const res = await owner.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey("clamav/") }));
  return parseManifest((await bodyBytes(res.Body)).toString("utf8"));
}

async function keysOf(bucket: string): Promise<string[]> {
  const owner = await clientAs("owner");
  const res = await owner.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((o) => o.Key ?? "").sort();
}

describe("updater", () => {
  let mirror: TestMirror;
  beforeEach(async () => {
    mirror = await new TestMirror().start();
    mirror.set("bw.hdb", clamExeHdb());
    mirror.set("bw.ndb", eicarNdb());
  });
  afterEach(() => mirror.stop());

  it("publishes the mirror's databases under content-addressed keys, then the manifest", async () => {
    const bucket = await createDefinitionsBucket();
    const log = new RecordingLog();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const result = await (await testUpdater(config, { log })).run();

    assert.equal(result.status, UpdateStatus.Published);
    assert.deepEqual(result.uploaded.sort(), ["bw.hdb", "bw.ndb"]);
    assert.equal(result.signatures, 2);
    const manifest = await readPublishedManifest(bucket);
    assert.equal(manifest.version, result.version);
    assert.deepEqual(manifest.files.map((f) => f.name).sort(), ["bw.hdb", "bw.ndb"]);
    assert.match(manifest.engine, /ClamAV 1\.4/);
    const keys = await keysOf(bucket);
    for (const f of manifest.files) assert.ok(keys.includes(definitionsFileKey("clamav/", f)), f.name);
    assert.ok(keys.includes(freshclamStateKey("clamav/")), "freshclam.dat is kept for the next run");
    assert.equal(log.messages("definitions published").length, 1);
  });

  it("uploads nothing but a newer checkedAt when the mirror has nothing new", async () => {
    const bucket = await createDefinitionsBucket();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const first = await (await testUpdater(config)).run();
    const before = await readPublishedManifest(bucket);
    // A fresh execution environment: the database comes back from the bucket, not from /tmp.
    const again = await (await testUpdater({ ...config, workDir: scratchDir("upd") })).run();

    assert.equal(again.status, UpdateStatus.Unchanged);
    assert.deepEqual(again.uploaded, []);
    assert.equal(again.version, first.version);
    const after = await readPublishedManifest(bucket);
    assert.equal(after.updatedAt, before.updatedAt);
    assert.ok(after.checkedAt >= before.checkedAt);
  });

  it("uploads only the file that changed at the mirror", async () => {
    const bucket = await createDefinitionsBucket();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const first = await (await testUpdater(config)).run();
    mirror.set(
      "bw.ndb",
      eicarNdb() + markerNdb("Bucketwarden.Test.Second", "second marker"),
      new Date(Date.now() + 2000),
    );
    const second = await (await testUpdater({ ...config, workDir: scratchDir("upd") })).run();

    assert.equal(second.status, UpdateStatus.Published);
    assert.deepEqual(second.uploaded, ["bw.ndb"]);
    assert.notEqual(second.version, first.version);
    assert.equal(second.signatures, 3);
  });

  it("does not run freshclam again within the minimum update interval", async () => {
    const bucket = await createDefinitionsBucket();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb")], { minUpdateIntervalSeconds: 3600 });
    await (await testUpdater(config)).run();
    const requests = mirror.requests.length;
    const again = await (await testUpdater(config)).run();

    assert.equal(again.status, UpdateStatus.TooSoon);
    assert.equal(mirror.requests.length, requests, "the mirror was not contacted");
  });

  it("honours the mirror's cool-down (HTTP 429), also in a fresh execution environment", async function () {
    // freshclam answers a 429 from a DatabaseMirror (the CDN) with a one-hour cool-down; it keeps
    // asking private mirrors and custom URLs.
    this.timeout(60_000);
    const bucket = await createDefinitionsBucket();
    mirror.refuse("*", 429, { "Retry-After": "3600" });
    const config = await updaterConfig(bucket, [], {
      officialDatabases: true,
      databaseMirrors: [mirror.url()],
      minUpdateIntervalSeconds: 3600,
    });
    // The refused run fails (and says so); freshclam's state records the cool-down all the same.
    await assert.rejects((await testUpdater(config)).run(), UpdateError);
    const asked = mirror.requests.length;
    const second = await (await testUpdater({ ...config, workDir: scratchDir("upd") })).run();

    assert.ok(asked > 0);
    assert.equal(second.status, UpdateStatus.CoolDown);
    assert.equal(mirror.requests.length, asked, "freshclam's saved state kept it from asking again");
    assert.ok(!(await keysOf(bucket)).includes(manifestKey("clamav/")), "nothing published");
  });

  it("publishes nothing when the mirror serves a corrupt database", async () => {
    const bucket = await createDefinitionsBucket();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const good = await (await testUpdater(config)).run();
    mirror.set("bad.ndb", "this is : not a : signature\nnor this\n");
    const corrupt = { ...config, customDatabaseUrls: [...config.customDatabaseUrls, mirror.url("bad.ndb")] };

    await assert.rejects((await testUpdater(corrupt)).run(), UpdateError);
    const manifest = await readPublishedManifest(bucket);
    assert.equal(manifest.version, good.version);
    assert.ok(
      !(await keysOf(bucket)).some((k) => k.endsWith("/bad.ndb")),
      "the corrupt file is not uploaded",
    );
  });

  it("refuses a database folder that does not load, whatever freshclam said", async () => {
    const dir = scratchDir("verify");
    writeFileSync(join(dir, "broken.ndb"), "Broken:0:*:zz-not-hex\n");
    await assert.rejects(verifyDatabase(testTools("freshclam"), dir, dir, 60_000), UpdateError);
  });

  it("keeps the manifest pointing at files that exist while it publishes", async () => {
    const bucket = await createDefinitionsBucket();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    await (await testUpdater(config)).run();
    const owner = await clientAs("owner");
    for (const f of (await readPublishedManifest(bucket)).files) {
      const head = await owner.send(
        new HeadObjectCommand({ Bucket: bucket, Key: definitionsFileKey("clamav/", f) }),
      );
      assert.equal(head.ContentLength, f.size);
    }
  });
});
