/**
 * The adoption marker on the real store, with the real engine for the scans before and after: a bucket
 * that held data before adoption (several versions, user tags, a verdict forged before adoption, a
 * verdict the scanner stamped) is marked, page by page, the access rule is put on it, and the backlog
 * scan replaces every mark with a verdict.
 */
import assert from "node:assert/strict";
import { GetObjectCommand, PutBucketPolicyCommand, type S3Client } from "@aws-sdk/client-s3";
import { scannerGrantStatement } from "../../../core/access-rule";
import type { BatchOperationsResponse } from "../../../core/batch-operations";
import { type MarkContinuation, type MarkReport, parseMarkRequest } from "../../../core/marker";
import type { PreExistingObjectMode } from "../../../core/rescan-window";
import { DEFAULT_TAG_SCHEMA } from "../../../core/tags";
import { handler } from "../../../handlers/scanner";
import { markPreExisting } from "../../../handlers/scanner/marker";
import { handleMarkRequest } from "../../../handlers/scanner/marker-entry";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { noMetrics } from "../../../handlers/shared/logger";
import { readStampKey } from "../../../handlers/shared/stamp-key";
import { createBucket, createUploadBucket, statusOf, tagsOf, upload, userArn } from "../support/buckets";
import { encodeKeyLikeS3, s3Event } from "../support/events";
import { RecordingLog, scannerConfig, testDefinitions, testScanner } from "../support/handlers";
import { EICAR } from "../support/signatures";
import { clientAs, testStore } from "../support/store";

/** A bucket as it was before adoption: no access rule, the application may upload anything, tags included. */
async function bucketBeforeAdoption(): Promise<string> {
  const store = await testStore();
  const bucket = await createBucket("adopt", { versioned: true });
  const app = {
    Sid: "AppUploads",
    Effect: "Allow",
    Principal: { AWS: [userArn(store.users.uploader.uid)] },
    Action: ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectTagging"],
    Resource: `arn:aws:s3:::${bucket}/*`,
  };
  const list = {
    Sid: "ScannerLists",
    Effect: "Allow",
    Principal: { AWS: [userArn(store.users.scanner.uid)] },
    Action: ["s3:ListBucket", "s3:ListBucketVersions"],
    Resource: `arn:aws:s3:::${bucket}`,
  };
  const policy = {
    Version: "2012-10-17",
    Statement: [app, list, scannerGrantStatement(bucket, [userArn(store.users.scanner.uid)])],
  };
  await (await clientAs("owner")).send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }),
  );
  return bucket;
}

interface Held {
  bucket: string;
  /** Version ids by name. */
  v: Record<string, string>;
}

/** What the bucket holds before adoption. */
async function fill(bucket: string, scanner: Scanner): Promise<Held> {
  const v: Record<string, string> = {};
  const put = async (name: string, key: string, body: string | Buffer, tags?: Record<string, string>) => {
    v[name] = (await upload(bucket, key, body, tags)).VersionId ?? "";
  };
  await put("doc1", "docs/report.txt", "first draft", { owner: "team-a" });
  await put("doc2", "docs/report.txt", "second draft", { owner: "team-a", stage: "final" });
  await put("forged", "forged.com", EICAR, { Infected: "false", project: "x" });
  await put("plain", "img/a.png", "png bytes");
  await put("scanned", "img/b.png", "scanned on upload");
  await put(
    "many",
    "many-tags.txt",
    "tagged a lot",
    Object.fromEntries([...Array(9)].map((_, i) => [`t${i}`, `${i}`])),
  );
  await scanner.handle(s3Event({ bucket, key: "img/b.png", versionId: v.scanned }));
  return { bucket, v };
}

describe("scanner: the adoption marker, on the real store and engine", () => {
  let scanner: Scanner;
  let stampKey: Buffer;
  let scannerS3: S3Client;
  let uploader: S3Client;
  const log = new RecordingLog();

  before(async function () {
    this.timeout(180_000);
    const definitions = await testDefinitions();
    scanner = await testScanner(await scannerConfig(definitions.bucket), { log });
    scannerS3 = await clientAs("scanner");
    uploader = await clientAs("uploader");
    stampKey = await readStampKey(scannerS3, { bucket: definitions.bucket, prefix: "clamav/" });
  });
  after(() => scanner?.close());

  /** Runs the marker one page per run (a budget that allows one page), resuming until done. */
  async function markAll(bucket: string, mode: PreExistingObjectMode): Promise<MarkReport[]> {
    const reports: MarkReport[] = [];
    let continuation: MarkContinuation | undefined;
    do {
      let budget = [120_000, 0];
      const report = await markPreExisting(
        {
          s3: scannerS3,
          tags: DEFAULT_TAG_SCHEMA,
          stampKey,
          log,
          metrics: noMetrics,
          remainingMs: () => {
            const [next, ...rest] = budget;
            budget = rest.length > 0 ? rest : [0];
            return next;
          },
        },
        parseMarkRequest({ bucketwarden: "mark-pre-existing", bucket, mode, pageSize: 2, continuation }),
      );
      reports.push(report);
      continuation = report.continuation;
    } while (continuation);
    return reports;
  }

  const read = (bucket: string, key: string, versionId?: string) =>
    statusOf(uploader.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })));

  describe("readable until scanned", () => {
    let held: Held;
    let reports: MarkReport[];
    let scannedTags: Record<string, string>;

    before(async function () {
      this.timeout(180_000);
      const bucket = await bucketBeforeAdoption();
      held = await fill(bucket, scanner);
      scannedTags = await tagsOf(bucket, "img/b.png", held.v.scanned);
      reports = await markAll(bucket, "readable-until-scanned");
    });

    it("stops after a page when its time runs short and resumes by continuation until done", () => {
      // Six versions, two a page: three runs, each but the last handing on a continuation.
      assert.equal(reports.length, 3);
      assert.deepEqual(
        reports.map((r) => r.done),
        [false, false, true],
      );
      assert.ok(reports[0].continuation?.keyMarker);
      const sum = (k: keyof MarkReport["counts"]) => reports.reduce((n, r) => n + r.counts[k], 0);
      assert.deepEqual(
        {
          versions: sum("versions"),
          marked: sum("marked"),
          kept: sum("keptVerdicts"),
          forged: sum("forged"),
        },
        { versions: 6, marked: 5, kept: 1, forged: 1 },
      );
    });

    it("marks every version without a verdict pending, keeping the user's own tags", async () => {
      const doc1 = await tagsOf(held.bucket, "docs/report.txt", held.v.doc1);
      assert.equal(doc1.Infected, "pending");
      assert.equal(doc1.owner, "team-a");
      const doc2 = await tagsOf(held.bucket, "docs/report.txt", held.v.doc2);
      assert.deepEqual([doc2.Infected, doc2.owner, doc2.stage], ["pending", "team-a", "final"]);
      assert.equal((await tagsOf(held.bucket, "img/a.png", held.v.plain)).Infected, "pending");
      // Nine user tags leave room for the bare mark only.
      const many = await tagsOf(held.bucket, "many-tags.txt", held.v.many);
      assert.equal(Object.keys(many).length, 10);
      assert.equal(many.Infected, "pending");
    });

    it("replaces a verdict forged before adoption by the mark, and says so", async () => {
      const forged = await tagsOf(held.bucket, "forged.com", held.v.forged);
      assert.equal(forged.Infected, "pending");
      assert.equal(forged.project, "x");
      assert.ok(log.messages("verdict forgery attempt").some((l) => l.key === "forged.com"));
    });

    it("leaves a verdict the scanner stamped untouched", async () => {
      assert.equal(scannedTags.Infected, "false");
      assert.deepEqual(await tagsOf(held.bucket, "img/b.png", held.v.scanned), scannedTags);
    });

    it("writes nothing on a second run", async () => {
      const again = await markAll(held.bucket, "readable-until-scanned");
      const sum = (k: keyof MarkReport["counts"]) => again.reduce((n, r) => n + r.counts[k], 0);
      assert.deepEqual([sum("marked"), sum("alreadyMarked"), sum("keptVerdicts")], [0, 5, 1]);
    });

    it("keeps marked versions readable under the adopted rule until their verdict, new uploads not", async function () {
      this.timeout(60_000);
      await createUploadBucket({ bucket: held.bucket, preExistingReadable: true });
      assert.equal(await read(held.bucket, "docs/report.txt", held.v.doc1), 200);
      assert.equal(await read(held.bucket, "img/a.png"), 200);
      assert.equal(await read(held.bucket, "img/b.png"), 200);
      await upload(held.bucket, "new.txt", "after adoption");
      assert.equal(await read(held.bucket, "new.txt"), 403);
    });

    it("does not scan a marked version on the marker's own tag event: the backlog scan does", async function () {
      this.timeout(60_000);
      const event = s3Event({
        bucket: held.bucket,
        key: "img/a.png",
        versionId: held.v.plain,
        eventName: "ObjectTagging:Put",
      });
      const report = (await scanner.handle(event)) as { results: { outcome: string; reason?: string }[] };
      assert.deepEqual(
        report.results.map((r) => [r.outcome, r.reason]),
        [["skipped", "pre-existing"]],
      );
      assert.equal((await tagsOf(held.bucket, "img/a.png", held.v.plain)).Infected, "pending");
    });

    it("gives every marked version its verdict in the backlog scan, after which the rule is the normal one", async function () {
      this.timeout(120_000);
      const tasks = Object.entries({
        doc1: "docs/report.txt",
        doc2: "docs/report.txt",
        forged: "forged.com",
        plain: "img/a.png",
        scanned: "img/b.png",
        many: "many-tags.txt",
      }).map(([name, key]) => ({
        taskId: name,
        s3Bucket: held.bucket,
        s3Key: encodeKeyLikeS3(key),
        s3VersionId: held.v[name],
      }));
      const response = (await scanner.handle({
        invocationSchemaVersion: "2.0",
        invocationId: "backlog-1",
        job: { id: "adoption-backlog", userArguments: {} },
        tasks,
      })) as BatchOperationsResponse;
      const codes = Object.fromEntries(response.results.map((r) => [r.taskId, r.resultString]));
      assert.equal(codes.scanned, "skipped:already-scanned:clean");
      assert.match(codes.forged, /^infected:/);
      for (const name of ["doc1", "doc2", "plain", "many"]) assert.equal(codes[name], "clean", name);
      assert.equal((await tagsOf(held.bucket, "forged.com", held.v.forged)).Infected, "true");
      assert.equal(await read(held.bucket, "forged.com"), 403);
      assert.equal((await tagsOf(held.bucket, "docs/report.txt", held.v.doc1)).owner, "team-a");
      assert.equal(await read(held.bucket, "docs/report.txt", held.v.doc1), 200);
      assert.ok(!log.messages("verdict forgery attempt").some((l) => l.key === "img/a.png"));
    });
  });

  describe("strict", () => {
    let held: Held;
    let reports: MarkReport[];

    before(async function () {
      this.timeout(180_000);
      const bucket = await bucketBeforeAdoption();
      held = await fill(bucket, scanner);
      reports = await markAll(bucket, "strict");
    });

    it("strips a verdict forged before adoption and writes no mark", async () => {
      assert.deepEqual(await tagsOf(held.bucket, "forged.com", held.v.forged), { project: "x" });
      assert.deepEqual(await tagsOf(held.bucket, "img/a.png", held.v.plain), {});
      assert.deepEqual(await tagsOf(held.bucket, "docs/report.txt", held.v.doc2), {
        owner: "team-a",
        stage: "final",
      });
      const sum = (k: keyof MarkReport["counts"]) => reports.reduce((n, r) => n + r.counts[k], 0);
      assert.deepEqual([sum("marked"), sum("stripped"), sum("keptVerdicts")], [0, 1, 1]);
    });

    it("leaves everything without a verdict unreadable at once under the strict rule", async function () {
      this.timeout(60_000);
      await createUploadBucket({ bucket: held.bucket });
      assert.equal(await read(held.bucket, "forged.com"), 403);
      assert.equal(await read(held.bucket, "docs/report.txt"), 403);
      assert.equal(await read(held.bucket, "img/b.png"), 200);
    });
  });

  describe("the scanner's Lambda entry point", () => {
    it("answers a mark-pre-existing event with a report, reading the stamp key itself", async function () {
      this.timeout(60_000);
      const bucket = await bucketBeforeAdoption();
      await upload(bucket, "one.txt", "one");
      const definitions = await testDefinitions();
      const config = await scannerConfig(definitions.bucket);
      const report = await handleMarkRequest(
        { config, s3: scannerS3, log, metrics: noMetrics },
        {
          bucketwarden: "mark-pre-existing",
          bucket,
        },
      );
      assert.equal(report.done, true);
      assert.equal(report.mode, "readable-until-scanned");
      assert.equal(report.counts.marked, 1);
      assert.equal((await tagsOf(bucket, "one.txt")).Infected, "pending");
    });

    it("routes a mark-pre-existing event away from the scanning path", async () => {
      // No environment: the marker's config parse fails naming the variable, before any engine starts.
      await assert.rejects(
        () => handler({ bucketwarden: "mark-pre-existing", bucket: "b" }),
        /BW_DEFINITIONS_BUCKET/,
      );
    });
  });
});
