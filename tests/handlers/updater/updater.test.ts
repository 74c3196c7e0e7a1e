import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { definitionsFileKey, manifestKey, parseManifest } from "../../../core/manifest";
import { UpdateError } from "../../../handlers/shared/errors";
import { bodyBytes } from "../../../handlers/shared/s3";
import { PUBLISH_RESERVE_MS, VERIFY_RESERVE_MS } from "../../../handlers/updater/budget";
import { historyKey } from "../../../handlers/updater/prune";
import { freshclamStateKey } from "../../../handlers/updater/state";
import { type UpdaterDeps, UpdateStatus } from "../../../handlers/updater/updater";
import { verifyDatabase } from "../../../handlers/updater/verify";
import { createDefinitionsBucket } from "../support/buckets";
import { RecordingLog, scratchDir, testUpdater, updaterConfig } from "../support/handlers";
import { RecordingMetrics } from "../support/metrics";
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
    const first = await (await testUpdater(config)).run();
    const asked = mirror.requests.length;
    const second = await (await testUpdater({ ...config, workDir: scratchDir("upd") })).run();

    assert.ok(asked > 0);
    assert.equal(first.status, UpdateStatus.NoDefinitions);
    assert.equal(second.status, UpdateStatus.NoDefinitions);
    assert.ok(
      second.coolDownUntil && Date.parse(second.coolDownUntil) > Date.now(),
      "the cool-down's end is reported",
    );
    assert.equal(mirror.requests.length, asked, "freshclam's saved state kept it from asking again");
    assert.ok(!(await keysOf(bucket)).includes(manifestKey("clamav/")), "nothing published");
  });

  for (const status of [403, 429])
    it(`reports "no definitions yet" without failing when the mirror refuses (HTTP ${status}) before anything was published`, async function () {
      this.timeout(60_000);
      const bucket = await createDefinitionsBucket();
      mirror.refuse("*", status, status === 429 ? { "Retry-After": "3600" } : {});
      const config = await updaterConfig(bucket, [], {
        officialDatabases: true,
        databaseMirrors: [mirror.url()],
        minUpdateIntervalSeconds: 3600,
      });
      const log = new RecordingLog();
      const metrics = new RecordingMetrics();
      const result = await (await testUpdater(config, { log, metrics })).run();

      assert.equal(result.status, UpdateStatus.NoDefinitions);
      assert.equal(result.version, undefined);
      assert.equal(metrics.of("DefinitionsMissing"), 1, "the alarm's metric");
      assert.equal(
        log.messages("no definitions yet: the mirror refused and nothing was ever published").length,
        1,
      );
      assert.ok(!(await keysOf(bucket)).includes(manifestKey("clamav/")), "nothing published");
    });

  it("keeps the published database through a refusal, as a cool-down", async function () {
    this.timeout(60_000);
    const bucket = await createDefinitionsBucket();
    const official = new TestMirror();
    await official.start();
    try {
      official.refuse("*", 429, { "Retry-After": "3600" });
      const config = await updaterConfig(bucket, [mirror.url("bw.hdb")]);
      const good = await (await testUpdater(config)).run();
      const metrics = new RecordingMetrics();
      const refused = await (
        await testUpdater(
          {
            ...config,
            officialDatabases: true,
            databaseMirrors: [official.url()],
            workDir: scratchDir("upd"),
          },
          { metrics },
        )
      ).run();

      assert.equal(refused.status, UpdateStatus.CoolDown);
      assert.equal(refused.version, good.version);
      assert.equal(metrics.of("DefinitionsMissing"), 0);
      assert.equal((await readPublishedManifest(bucket)).version, good.version);
    } finally {
      await official.stop();
    }
  });

  it("stops freshclam within the time the invocation has left, and says so", async function () {
    this.timeout(60_000);
    const bucket = await createDefinitionsBucket();
    mirror.stall("*");
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb")]);
    const left = VERIFY_RESERVE_MS + PUBLISH_RESERVE_MS + 3_000;
    const started = Date.now();
    const run = (await testUpdater(config)).run({
      getRemainingTimeInMillis: () => left - (Date.now() - started),
    });

    await assert.rejects(
      run,
      (e: Error) => e instanceof UpdateError && /was stopped after \d+ ms/.test(e.message),
    );
    assert.ok(!(await keysOf(bucket)).includes(manifestKey("clamav/")), "nothing published");
  });

  it("deletes definition files no kept manifest lists, keeping the current and the last ones for rollback", async function () {
    this.timeout(120_000);
    const bucket = await createDefinitionsBucket();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const publishVersion = async (n: number) => {
      mirror.set(
        "bw.ndb",
        eicarNdb() + markerNdb(`Bucketwarden.Test.V${n}`, `marker ${n}`),
        new Date(Date.now() + n * 2000),
      );
      const result = await (
        await testUpdater({ ...config, workDir: scratchDir("upd") }, { keepManifests: 2, pruneGraceMs: 0 })
      ).run();
      assert.equal(result.status, UpdateStatus.Published);
      return readPublishedManifest(bucket);
    };
    const fileKeys = (m: { files: Array<{ name: string; sha256: string }> }) =>
      m.files.map((f) => definitionsFileKey("clamav/", f));
    const v1 = await publishVersion(1);
    const v2 = await publishVersion(2);
    const afterTwo = await keysOf(bucket);
    for (const k of [...fileKeys(v1), ...fileKeys(v2)])
      assert.ok(afterTwo.includes(k), `${k} kept while two manifests list it`);

    const v3 = await publishVersion(3);
    const keys = await keysOf(bucket);
    const v1Only = fileKeys(v1).filter((k) => !fileKeys(v2).includes(k) && !fileKeys(v3).includes(k));
    assert.equal(v1Only.length, 1, "only bw.ndb changed");
    assert.ok(!keys.includes(v1Only[0]), "the file only the oldest manifest listed is gone");
    for (const k of [...fileKeys(v2), ...fileKeys(v3)]) assert.ok(keys.includes(k), `${k} kept`);
    assert.deepEqual(
      keys.filter((k) => k.startsWith("clamav/history/")),
      [historyKey("clamav/", v2), historyKey("clamav/", v3)],
      "the history keeps the last two manifests",
    );
    assert.ok(keys.includes(freshclamStateKey("clamav/")), "freshclam's state is never pruned");
  });

  it("keeps every definition file until the history holds enough manifests, and young ones always", async function () {
    this.timeout(120_000);
    const bucket = await createDefinitionsBucket();
    const config = await updaterConfig(bucket, [mirror.url("bw.hdb"), mirror.url("bw.ndb")]);
    const run = async (n: number, deps: Partial<UpdaterDeps>) => {
      mirror.set(
        "bw.ndb",
        eicarNdb() + markerNdb(`Bucketwarden.Test.W${n}`, `w ${n}`),
        new Date(Date.now() + n * 2000),
      );
      await (await testUpdater({ ...config, workDir: scratchDir("upd") }, deps)).run();
      return (await keysOf(bucket)).filter((k) => k.startsWith("clamav/files/"));
    };
    const one = await run(1, { keepManifests: 3, pruneGraceMs: 0 });
    const two = await run(2, { keepManifests: 3, pruneGraceMs: 0 });
    assert.equal(two.length, one.length + 1, "a history of 2 of 3 deletes nothing");
    // Full history, but every file is younger than the default grace period.
    await run(3, { keepManifests: 3 });
    const four = await run(4, { keepManifests: 3 });
    assert.equal(four.length, one.length + 3, "files younger than the grace period stay");
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
