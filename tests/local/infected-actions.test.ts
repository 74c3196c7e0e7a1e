/**
 * Local mode with quarantine and delete on: the buckets as `npm start` prepares them from the
 * runner's BW_QUARANTINE_BUCKET / BW_DELETE_INFECTED, the scanner bundle the build wrote running in
 * local mode's execution environment, the real store and engine, and the verdict events in the JSON
 * Lines file local mode writes.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { ConfigError } from "../../core/errors";
import { currentArchitecture } from "../../core/layer-layout";
import type { ObjectScannedDetail, VerdictEvent } from "../../core/verdict-event";
import { bodyBytes } from "../../handlers/shared/s3";
import { type PipelineBuckets, pipelineBuckets, prepareBuckets } from "../../local/buckets";
import { scannerFunction } from "../../local/functions";
import { FunctionPool } from "../../local/lambda/pool";
import { PROJECT_ROOT } from "../../local/paths";
import { parseLocalSettings } from "../../local/settings";
import { type StoreInfo, s3Client } from "../../local/store";
import { statusOf } from "../handlers/support/buckets";
import { s3Event } from "../handlers/support/events";
import { testDefinitions } from "../handlers/support/handlers";
import { EICAR } from "../handlers/support/signatures";
import { testStore, uniqueBucket } from "../handlers/support/store";

describe("local mode: quarantine and delete of infected uploads, with their events", function () {
  this.timeout(180_000);
  let store: StoreInfo;
  let buckets: PipelineBuckets;
  let quarantine: string;
  let pool: FunctionPool;
  let dir: string;
  let eventsFile: string;

  before(async () => {
    store = await testStore();
    const definitions = await testDefinitions();
    quarantine = uniqueBucket("lq");
    buckets = pipelineBuckets(
      parseLocalSettings({
        BW_LOCAL_UPLOAD_BUCKET: uniqueBucket("lu"),
        BW_LOCAL_DEFINITIONS_BUCKET: definitions.bucket,
      }),
      store,
      { BW_QUARANTINE_BUCKET: quarantine, BW_DELETE_INFECTED: "true" },
    );
    await prepareBuckets(s3Client(store, "owner"), buckets);
    dir = mkdtempSync(join(tmpdir(), "bw-local-actions-"));
    eventsFile = join(dir, "events.jsonl");
    const arch = currentArchitecture();
    assert.ok(arch);
    pool = new FunctionPool(
      scannerFunction({
        projectRoot: PROJECT_ROOT,
        arch,
        store,
        definitionsBucket: buckets.definitionsBucket,
        timeoutSeconds: 120,
        eventsFile,
        actions: buckets.actions,
      }),
      { concurrency: 1, tmpRoot: join(dir, "env"), log: () => {} },
    );
  });
  after(async () => {
    await pool?.shutdown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const events = (): VerdictEvent[] =>
    existsSync(eventsFile)
      ? readFileSync(eventsFile, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l))
      : [];
  const detailOf = (key: string) => {
    const found = events().filter((e) => e.detail.key === key);
    assert.equal(found.length, 1, `one event for ${key}`);
    return found[0].detail as ObjectScannedDetail;
  };

  it("reads the actions from the runner's environment, refusing a delete with no copy kept", () => {
    assert.deepEqual(buckets.actions, {
      quarantineBucket: quarantine,
      deleteInfected: true,
      deleteWithoutQuarantine: false,
    });
    assert.throws(
      () => pipelineBuckets(parseLocalSettings({}), store, { BW_DELETE_INFECTED: "true" }),
      ConfigError,
    );
  });

  it("quarantines an infected upload, deletes its version and records both in events.jsonl", async () => {
    const uploader = s3Client(store, "uploader");
    const scanner = s3Client(store, "scanner");
    const owner = s3Client(store, "owner");
    const bucket = buckets.uploadBucket;
    const bad = await uploader.send(
      new PutObjectCommand({ Bucket: bucket, Key: "l/eicar.com", Body: EICAR }),
    );
    const good = await uploader.send(
      new PutObjectCommand({ Bucket: bucket, Key: "l/clean.txt", Body: "fine" }),
    );
    const run = await pool.invoke(
      s3Event(
        { bucket, key: "l/eicar.com", versionId: bad.VersionId },
        { bucket, key: "l/clean.txt", versionId: good.VersionId },
      ),
    );
    assert.equal(run.error, undefined, JSON.stringify(run.error));

    const infected = detailOf("l/eicar.com");
    assert.equal(infected.verdict, "infected");
    assert.deepEqual(
      infected.actions.map((a) => [a.action, a.outcome, a.bucket]),
      [
        ["quarantine", "done", quarantine],
        ["delete", "done", bucket],
      ],
    );
    assert.deepEqual(detailOf("l/clean.txt").actions, []);

    const copy = await scanner.send(new GetObjectCommand({ Bucket: quarantine, Key: "l/eicar.com" }));
    assert.deepEqual(await bodyBytes(copy.Body), Buffer.from(EICAR));
    const tags = await scanner.send(new GetObjectTaggingCommand({ Bucket: quarantine, Key: "l/eicar.com" }));
    assert.equal(tags.TagSet?.find((t) => t.Key === "Infected")?.Value, "true");
    assert.equal(
      await statusOf(uploader.send(new GetObjectCommand({ Bucket: quarantine, Key: "l/eicar.com" }))),
      403,
    );
    const left = await owner.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "l/" }));
    assert.deepEqual(
      (left.Versions ?? []).map((v) => [v.Key, v.VersionId]),
      [["l/clean.txt", good.VersionId]],
    );
  });
});
