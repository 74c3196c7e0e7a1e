import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  type Tag,
} from "@aws-sdk/client-s3";
import type { PolicyStatement } from "../../core/access-rule";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { pipelineClient, statusOf } from "../../local/client";
import { localPaths, PROJECT_ROOT } from "../../local/paths";
import { type PipelineInfo, readPipeline } from "../../local/pipeline";
import { EICAR } from "../../local/signatures";
import { runCli } from "./support/cli";
import { runScript } from "./support/pipeline";

// `bucketwarden protect --local` on a bucket the owner filled before adoption: a few hundred object
// versions of every kind, on the real store and engine, in a pipeline of the test's own.
const ROOT = join(PROJECT_ROOT, ".local/protect-e2e");
const paths = localPaths(ROOT);
const TESTFILES = "/usr/share/clamav-testfiles";
const S = DEFAULT_TAG_SCHEMA;

interface Stored {
  key: string;
  versionId: string;
  infected: boolean;
  /** The user's own tags, which must survive adoption. */
  userTags: Tag[];
}

const tagsOf = async (s3: S3Client, bucket: string, o: Stored) =>
  (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: o.key, VersionId: o.versionId })))
    .TagSet ?? [];

describe("bucketwarden protect --local: adopting a bucket that already holds data (real store and engine)", function () {
  this.timeout(900_000);
  let info: PipelineInfo;
  let owner: S3Client;
  let uploader: S3Client;
  let scanner: S3Client;
  const run = Date.now().toString(36);
  const bucket = `adopt-${run}`;
  const stored: Stored[] = [];
  // The bucket's own statements: its application reads (and lists) the objects.
  const userStatements: PolicyStatement[] = [];

  async function put(key: string, body: string | Buffer, infected: boolean, userTags: Tag[] = []) {
    const r = await owner.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ...(userTags.length > 0
          ? {
              Tagging: userTags
                .map((t) => `${encodeURIComponent(t.Key ?? "")}=${encodeURIComponent(t.Value ?? "")}`)
                .join("&"),
            }
          : {}),
      }),
    );
    stored.push({ key, versionId: r.VersionId as string, infected, userTags });
  }

  before(async () => {
    const started = await runScript("start", ROOT);
    assert.equal(started.code, 0, started.output);
    info = readPipeline(paths) as PipelineInfo;
    owner = pipelineClient(info, info.owner);
    uploader = pipelineClient(info, info.uploader);
    scanner = pipelineClient(info, info.scanner);

    await owner.send(new CreateBucketCommand({ Bucket: bucket }));
    await owner.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    userStatements.push(
      {
        Sid: "AppReadsObjects",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam:::user/${info.uploader.uid}`] },
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
      {
        Sid: "AppListsObjects",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam:::user/${info.uploader.uid}`] },
        Action: ["s3:ListBucket"],
        Resource: `arn:aws:s3:::${bucket}`,
      },
    );
    await owner.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: userStatements }),
      }),
    );

    const work: Array<() => Promise<void>> = [];
    for (let i = 0; i < 200; i++)
      work.push(() => put(`clean/${i}.bin`, randomBytes(64 + (i % 7) * 300), false));
    for (let i = 0; i < 20; i++) work.push(() => put(`eicar/${i}.com`, EICAR, true));
    for (const name of readdirSync(TESTFILES))
      work.push(() => put(`testfiles/${name}`, readFileSync(join(TESTFILES, name)), true));
    for (let i = 0; i < 20; i++)
      work.push(() =>
        put(`tagged/${i}.txt`, `tagged ${i}`, false, [
          { Key: "team", Value: "blue" },
          { Key: "project", Value: `p${i}` },
        ]),
      );
    for (const w of work) await w();
    // Several versions of one key: clean, then EICAR, then clean again; each version its own verdict.
    for (let i = 0; i < 10; i++) {
      await put(`versions/${i}.txt`, `first ${i}`, false);
      await put(`versions/${i}.txt`, EICAR, true);
      await put(`versions/${i}.txt`, `third ${i}`, false);
    }
    // A verdict written before adoption, by someone who is not the scanner: no stamp, not believed.
    await put("forged/eicar.com", EICAR, true, [{ Key: S.key, Value: S.cleanValue }]);
  });

  after(async () => {
    await runScript("stop", ROOT);
  });

  it("lets the application read every object before adoption, through the bucket's own policy", async () => {
    assert.ok(stored.length >= 300, `${stored.length} object versions`);
    const o = stored[0];
    assert.equal(
      await statusOf(
        uploader.send(new GetObjectCommand({ Bucket: bucket, Key: o.key, VersionId: o.versionId })),
      ),
      200,
    );
  });

  it("adopts it with no clean object unreadable at any moment, and gives every version its verdict", async () => {
    const clean = stored.filter((o) => !o.infected);
    let refusedClean: string[] = [];
    let rounds = 0;
    let running = true;
    // Reads every clean version as the application, over and over, while the adoption goes on.
    const watcher = (async () => {
      while (running) {
        rounds++;
        const statuses = await Promise.all(
          clean.map((o) =>
            statusOf(
              uploader.send(new GetObjectCommand({ Bucket: bucket, Key: o.key, VersionId: o.versionId })),
            ),
          ),
        );
        refusedClean = refusedClean.concat(
          clean.filter((_, i) => statuses[i] !== 200).map((o) => `${o.key}@${o.versionId}`),
        );
      }
    })();
    const r = await runCli(["protect", "--local", bucket], ROOT);
    running = false;
    await watcher;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^1\/4 scanner granted .*\(2 policy statement\(s\) of the bucket kept\)$/m);
    assert.match(r.stdout, /^2\/4 pre-existing versions marked pending \(.*marked \d+/m);
    assert.match(r.stdout, /^3\/4 access rule applied/m);
    assert.match(r.stdout, new RegExp(`^ {2}scanned: {5}${stored.length}$`, "m"));
    assert.match(r.stdout, /^ {2}failed: {6}0$/m);
    assert.ok(rounds >= 2, `the watcher read every clean version ${rounds} times`);
    assert.deepEqual(refusedClean, [], "clean versions refused during adoption");
  });

  it("ends with the right verdict on every version, and the user's tags intact", async () => {
    const wrong: string[] = [];
    for (const o of stored) {
      const tags = await tagsOf(scanner, bucket, o);
      const verdict = tags.find((t) => t.Key === S.key)?.Value;
      if (verdict !== (o.infected ? S.infectedValue : S.cleanValue))
        wrong.push(`${o.key}@${o.versionId}: ${verdict}`);
      for (const t of o.userTags.filter((u) => u.Key !== S.key))
        if (!tags.some((x) => x.Key === t.Key && x.Value === t.Value))
          wrong.push(`${o.key}: lost tag ${t.Key}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("refuses infected versions and serves clean ones to the application after adoption", async () => {
    const get = (o: Stored) =>
      statusOf(uploader.send(new GetObjectCommand({ Bucket: bucket, Key: o.key, VersionId: o.versionId })));
    for (const o of stored.filter((s) => s.key.startsWith("versions/") || s.key.startsWith("forged/")))
      assert.equal(await get(o), o.infected ? 403 : 200, `${o.key}@${o.versionId}`);
  });

  it("keeps the bucket's own policy statements as they were", async () => {
    const policy = JSON.parse(
      (await owner.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? "{}",
    ) as {
      Statement: PolicyStatement[];
    };
    for (const mine of userStatements) {
      const live = policy.Statement.find((s) => s.Sid === mine.Sid);
      assert.ok(live, `statement ${mine.Sid} kept`);
      assert.deepEqual([live.Action].flat().sort(), [mine.Action].flat().sort());
      assert.deepEqual([live.Resource].flat(), [mine.Resource].flat());
    }
  });

  it("counts the bucket's versions by verdict with status --local, none pending", async () => {
    const r = await runCli(["status", "--local", bucket], ROOT);
    assert.equal(r.code, 0, r.stderr);
    const infected = stored.filter((o) => o.infected).length;
    assert.match(r.stdout, new RegExp(`^ {2}clean: {7}${stored.length - infected}$`, "m"));
    assert.match(r.stdout, new RegExp(`^ {2}infected: {4}${infected}$`, "m"));
    assert.match(r.stdout, /^ {2}pending: {5}0$/m);
    assert.match(r.stdout, /^ {2}none: {8}0$/m);
  });

  it("scans an upload made after adoption through the bucket's notifications", async () => {
    const key = `after/${run}.com`;
    const r = await owner.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: EICAR }));
    const o: Stored = { key, versionId: r.VersionId as string, infected: true, userTags: [] };
    let verdict: string | undefined;
    for (let i = 0; i < 120 && verdict === undefined; i++) {
      verdict = (await tagsOf(scanner, bucket, o)).find((t) => t.Key === S.key)?.Value;
      if (verdict === undefined) await new Promise((ok) => setTimeout(ok, 500));
    }
    assert.equal(verdict, S.infectedValue);
  });

  it("strict: strips a verdict forged before adoption and leaves every version its scanned verdict", async () => {
    const strictBucket = `strict-${run}`;
    await owner.send(new CreateBucketCommand({ Bucket: strictBucket }));
    await owner.send(
      new PutBucketVersioningCommand({
        Bucket: strictBucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const forged = await owner.send(
      new PutObjectCommand({
        Bucket: strictBucket,
        Key: "forged.com",
        Body: EICAR,
        Tagging: `${S.key}=${S.cleanValue}&team=red`,
      }),
    );
    const plain = await owner.send(
      new PutObjectCommand({ Bucket: strictBucket, Key: "plain.txt", Body: "plain" }),
    );
    const r = await runCli(["protect", "--local", "--strict", strictBucket], ROOT);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^2\/4 strict: unverified verdict tags removed \(.*stripped 1/m);
    assert.match(r.stdout, /^3\/4 access rule applied \(strict\)/m);
    const f = await tagsOf(scanner, strictBucket, {
      key: "forged.com",
      versionId: forged.VersionId as string,
      infected: true,
      userTags: [],
    });
    assert.equal(f.find((t) => t.Key === S.key)?.Value, S.infectedValue);
    assert.ok(
      f.some((t) => t.Key === "team" && t.Value === "red"),
      "the user's tag kept",
    );
    const p = await tagsOf(scanner, strictBucket, {
      key: "plain.txt",
      versionId: plain.VersionId as string,
      infected: false,
      userTags: [],
    });
    assert.equal(p.find((t) => t.Key === S.key)?.Value, S.cleanValue);
  });

  it("refuses a bucket that does not exist, saying how to make one", async () => {
    const r = await runCli(["protect", "--local", `missing-${run}`], ROOT);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /there is no bucket missing-\w+ in the local store; create it as the owner/);
  });
});
