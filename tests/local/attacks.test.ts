/**
 * An ordinary uploader tries every write path to a readable infected or unscanned object, and to a
 * verdict the scanner did not write, against local mode's real gateway (through the endpoint
 * `pipeline.json` publishes) and the real engine. One pipeline serves every attack.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  SelectObjectContentCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, DeleteTopicCommand, ListTopicsCommand } from "@aws-sdk/client-sns";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { pipelineClient, statusOf } from "../../local/client";
import { Refusals } from "../../local/gatekeeper-rules";
import { localPaths, PROJECT_ROOT } from "../../local/paths";
import { type PipelineInfo, readPipeline } from "../../local/pipeline";
import { EICAR } from "../../local/signatures";
import { readStore, type StoreInfo, s3Client, snsClient } from "../../local/store/index";
import { alive, runnerStatus, runScript, sleep, type Uploaded, waitForOutcomes } from "./support/pipeline";
import { postObject, presignedGet } from "./support/sigv4";

// Twice the runner's poll of the gateway's process.
const GATEWAY_CHECK_MS = 1000;
const ROOT = join(PROJECT_ROOT, ".local/attacks");
const paths = localPaths(ROOT);
const { key: VERDICT, cleanValue: CLEAN, infectedValue: INFECTED } = DEFAULT_TAG_SCHEMA;

/** clamd and freshclam processes of this pipeline, with the names of their environment variables. */
function engineProcesses(skip: Set<string> = new Set()): Array<{ pid: number; comm: string; env: string[] }> {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || skip.has(entry)) continue;
    try {
      // The layer's tools run through its own loader, so the program is an argument, not the comm.
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const comm = argv.map((a) => /\/(clamd|freshclam)$/.exec(a)?.[1]).find(Boolean);
      // A node process may be one forked by a handler that has not yet exec'd the tool: look again.
      if (!comm && !/node$/.test(argv[0] ?? "")) skip.add(entry);
      if (!comm) continue;
      if (!argv.some((a) => a.includes(ROOT)) && !readlinkSync(`/proc/${entry}/cwd`).startsWith(ROOT))
        continue;
      const env = readFileSync(`/proc/${entry}/environ`, "utf8")
        .split("\0")
        .filter(Boolean)
        .map((v) => v.split("=")[0] as string);
      found.push({ pid: Number(entry), comm, env });
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

describe("local mode refuses an uploader every path to a forged verdict", function () {
  this.timeout(900_000);
  let info: PipelineInfo;
  let store: StoreInfo;
  /** The ordinary user, at the published endpoint. */
  let uploader: S3Client;
  /** The scanner's user, to read tags as they are (the bucket owner lists versions). */
  let scanner: S3Client;
  const run = Date.now().toString(36);
  const key = (name: string) => `attacks/${run}/${name}`;
  const engines = new Map<number, { comm: string; env: string[] }>();

  const put = async (name: string, body: string, extra: { Tagging?: string } = {}) => {
    const out = await uploader.send(
      new PutObjectCommand({ Bucket: info.uploadBucket, Key: key(name), Body: body, ...extra }),
    );
    return { key: key(name), versionId: out.VersionId } satisfies Uploaded;
  };
  const outcome = async (o: Uploaded) => {
    const got = (await waitForOutcomes(info, scanner, [o], 120_000)).get(o.key);
    assert.ok(got && "verdict" in got, `${o.key} got no verdict: ${JSON.stringify(got)}`);
    return got;
  };
  const versionsOf = async (k: string) =>
    (
      (
        await s3Client(store, "owner").send(
          new ListObjectVersionsCommand({ Bucket: info.uploadBucket, Prefix: k }),
        )
      ).Versions ?? []
    ).length;
  const refusals = async () => (await runnerStatus(info)).gatekeeper.refused;

  before(async () => {
    // clamd lives as long as its environment; freshclam only while the updater runs at start.
    // freshclam lives well under a second: look often, and only at processes not seen before.
    const seen = new Set<string>();
    const sampler = setInterval(() => {
      for (const p of engineProcesses(seen)) engines.set(p.pid, p);
    }, 20);
    try {
      const started = await runScript("start", ROOT);
      assert.equal(started.code, 0, started.output);
    } finally {
      clearInterval(sampler);
    }
    info = readPipeline(paths) as PipelineInfo;
    store = readStore(paths.storeDir);
    uploader = pipelineClient(info, info.uploader);
    scanner = pipelineClient(info, info.scanner);
  });

  after(async () => {
    await runScript("stop", ROOT);
  });

  it("publishes the gatekeeper as the endpoint, in front of the store's gateway", () => {
    assert.notEqual(info.endpoint, store.endpoint);
    assert.equal(info.gateway, store.endpoint);
  });

  it("refuses uploads tagged with a verdict key in any letter case, and keeps the user's own tags", async () => {
    const before = await refusals();
    const forged = ["Infected=false", "infected=false", "INFECTED=false", "project=x&iNfEcTeD=false"];
    for (const [i, Tagging] of [...forged, "ScanResult=clean", "scanstamp=x"].entries())
      assert.equal(await statusOf(put(`forged-${i}`, EICAR, { Tagging })), 403, Tagging);
    assert.equal(await versionsOf(key("forged-")), 0, "no refused upload was stored");
    assert.equal((await refusals())[Refusals.verdictTag] ?? 0, (before[Refusals.verdictTag] ?? 0) + 6);

    const own = await outcome(await put("own-tags", "hello", { Tagging: "project=x" }));
    assert.equal(own.verdict, CLEAN);
    assert.ok(
      own.tags.some((t) => t.Key === "project" && t.Value === "x"),
      JSON.stringify(own.tags),
    );
  });

  it("refuses a browser-style POST whose tagging field forges a verdict, and scans one that does not", async () => {
    const form = (name: string, body: string, tagging?: string) =>
      postObject({
        endpoint: info.endpoint,
        region: info.region,
        bucket: info.uploadBucket,
        key: key(name),
        who: info.uploader,
        body,
        fields: tagging ? { tagging } : {},
      });
    const tagging = (k: string) =>
      `<Tagging><TagSet><Tag><Key>${k}</Key><Value>false</Value></Tag></TagSet></Tagging>`;
    for (const k of ["Infected", "infected", "&#73;nfected"]) {
      const r = await form(`post-forged-${k.length}-${k[0]}`, EICAR, tagging(k));
      assert.equal(r.status, 403, `${k}: ${r.text}`);
    }
    assert.equal(await versionsOf(key("post-forged-")), 0);

    // The same signed form without a verdict key is accepted: the refusals above are not a bad signature.
    const ok = await form("post-eicar", EICAR, tagging("project"));
    assert.ok(ok.status >= 200 && ok.status < 300, `${ok.status} ${ok.text}`);
    const head = await scanner.send(
      new HeadObjectCommand({ Bucket: info.uploadBucket, Key: key("post-eicar") }),
    );
    assert.equal((await outcome({ key: key("post-eicar"), versionId: head.VersionId })).verdict, INFECTED);
    assert.equal(
      await statusOf(
        uploader.send(new GetObjectCommand({ Bucket: info.uploadBucket, Key: key("post-eicar") })),
      ),
      403,
    );
  });

  it("refuses a multipart upload tagged with a verdict key, and scans an untagged one", async () => {
    for (const Tagging of ["Infected=false", "infected=false"])
      assert.equal(
        await statusOf(
          uploader.send(
            new CreateMultipartUploadCommand({ Bucket: info.uploadBucket, Key: key("mpu-forged"), Tagging }),
          ),
        ),
        403,
        Tagging,
      );
    const Key = key("mpu-eicar");
    const { UploadId } = await uploader.send(
      new CreateMultipartUploadCommand({ Bucket: info.uploadBucket, Key, Tagging: "project=y" }),
    );
    const part = await uploader.send(
      new UploadPartCommand({ Bucket: info.uploadBucket, Key, UploadId, PartNumber: 1, Body: EICAR }),
    );
    await uploader.send(
      new CompleteMultipartUploadCommand({
        Bucket: info.uploadBucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const head = await scanner.send(new HeadObjectCommand({ Bucket: info.uploadBucket, Key }));
    assert.equal((await outcome({ key: Key, versionId: head.VersionId })).verdict, INFECTED);
  });

  it("refuses the uploader a bucket of its own", async () => {
    const bucket = `bw-attacker-${run}`;
    assert.equal(await statusOf(uploader.send(new CreateBucketCommand({ Bucket: bucket }))), 403);
    // Straight at the gateway too: the store's own limit, not only the gatekeeper.
    const direct = s3Client(store, "uploader");
    assert.equal(await statusOf(direct.send(new CreateBucketCommand({ Bucket: bucket }))), 403);
    const { Buckets = [] } = await uploader.send(new ListBucketsCommand({}));
    assert.deepEqual(Buckets, []);
  });

  it("refuses a copy of EICAR tagged Infected=false from a bucket the uploader may read", async () => {
    const owner = s3Client(store, "owner");
    const source = `bw-attack-source-${run}`;
    await owner.send(new CreateBucketCommand({ Bucket: source }));
    try {
      await owner.send(
        new PutObjectCommand({ Bucket: source, Key: "planted", Body: EICAR, Tagging: `${VERDICT}=${CLEAN}` }),
      );
      await owner.send(
        new PutBucketPolicyCommand({
          Bucket: source,
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: [`arn:aws:iam:::user/${info.uploader.uid}`] },
                Action: ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion"],
                Resource: `arn:aws:s3:::${source}/*`,
              },
            ],
          }),
        }),
      );
      // The planted object is really there for the uploader to read.
      assert.equal(
        await statusOf(uploader.send(new GetObjectCommand({ Bucket: source, Key: "planted" }))),
        200,
      );
      const copies = [
        {},
        { TaggingDirective: "REPLACE" as const, Tagging: "project=x" },
        { MetadataDirective: "REPLACE" as const },
      ];
      for (const extra of copies)
        assert.equal(
          await statusOf(
            uploader.send(
              new CopyObjectCommand({
                Bucket: info.uploadBucket,
                Key: key("copied"),
                CopySource: `${source}/planted`,
                ...extra,
              }),
            ),
          ),
          403,
          JSON.stringify(extra),
        );
      // The gateway refuses a CopyObject on its own too: it evaluates the access rule's copy-source
      // deny for CopyObject (not for UploadPartCopy, which only the gatekeeper refuses).
      const direct = s3Client(store, "uploader");
      const copy = new CopyObjectCommand({
        Bucket: info.uploadBucket,
        Key: key("copied"),
        CopySource: `${source}/planted`,
      });
      assert.equal(await statusOf(direct.send(copy)), 403, "straight at the gateway");
      assert.equal(await versionsOf(key("copied")), 0, "no copy landed in the upload bucket");
    } finally {
      await owner.send(new DeleteObjectCommand({ Bucket: source, Key: "planted" }));
      await owner.send(new DeleteBucketCommand({ Bucket: source }));
    }
  });

  it("refuses UploadPartCopy out of an object the uploader may not read", async () => {
    const infected = await put("part-source", EICAR);
    assert.equal((await outcome(infected)).verdict, INFECTED);
    const Bucket = info.uploadBucket;
    assert.equal(await statusOf(uploader.send(new GetObjectCommand({ Bucket, Key: infected.key }))), 403);
    const Key = key("part-copy");
    const { UploadId } = await uploader.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    try {
      for (const CopySourceRange of [undefined, "bytes=0-9"])
        assert.equal(
          await statusOf(
            uploader.send(
              new UploadPartCopyCommand({
                Bucket,
                Key,
                UploadId,
                PartNumber: 1,
                CopySource: `${Bucket}/${infected.key}?versionId=${infected.versionId}`,
                CopySourceRange,
              }),
            ),
          ),
          403,
        );
    } finally {
      await uploader.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    }
    assert.equal(await versionsOf(Key), 0);
  });

  it("refuses tag writes and deletions on unscanned and infected objects, which keep the scanner's verdict", async () => {
    const o = await put("retag", EICAR);
    const Bucket = info.uploadBucket;
    const attempts = () => [
      uploader.send(
        new PutObjectTaggingCommand({
          Bucket,
          Key: o.key,
          VersionId: o.versionId,
          Tagging: { TagSet: [{ Key: VERDICT, Value: CLEAN }] },
        }),
      ),
      uploader.send(new DeleteObjectTaggingCommand({ Bucket, Key: o.key, VersionId: o.versionId })),
    ];
    // Sent at once after the upload, most likely before the scan; refused whatever the state.
    for (const a of attempts()) assert.equal(await statusOf(a), 403);
    assert.equal((await outcome(o)).verdict, INFECTED);
    for (const a of attempts()) assert.equal(await statusOf(a), 403);
    const { TagSet = [] } = await scanner.send(
      new GetObjectTaggingCommand({ Bucket, Key: o.key, VersionId: o.versionId }),
    );
    assert.equal(TagSet.find((t) => t.Key === VERDICT)?.Value, INFECTED);
    assert.equal(await statusOf(uploader.send(new GetObjectCommand({ Bucket, Key: o.key }))), 403);
  });

  it("keeps an infected object from anonymous readers after the uploader makes it public-read", async () => {
    const o = await put("public", EICAR);
    const acl = await statusOf(
      uploader.send(new PutObjectAclCommand({ Bucket: info.uploadBucket, Key: o.key, ACL: "public-read" })),
    );
    const anonymous = async () => (await fetch(`${info.endpoint}/${info.uploadBucket}/${o.key}`)).status;
    assert.equal(await anonymous(), 403, `before the scan (PutObjectAcl answered ${acl})`);
    assert.equal((await outcome(o)).verdict, INFECTED);
    assert.equal(await anonymous(), 403, `after the scan (PutObjectAcl answered ${acl})`);
  });

  it("refuses presigned GETs and GETs by version id of infected versions", async () => {
    const infected = await put("versions", EICAR);
    assert.equal((await outcome(infected)).verdict, INFECTED);
    const clean = await put("versions", "a clean second version");
    assert.equal((await outcome(clean)).verdict, CLEAN);
    const Bucket = info.uploadBucket;
    const presigned = (versionId?: string) =>
      presignedGet({
        endpoint: info.endpoint,
        region: info.region,
        bucket: Bucket,
        key: clean.key,
        versionId,
        who: info.uploader,
      });

    assert.equal(await statusOf(uploader.send(new GetObjectCommand({ Bucket, Key: clean.key }))), 200);
    assert.equal((await fetch(presigned())).status, 200, "the presigned URL works for the clean version");
    assert.equal(
      await statusOf(
        uploader.send(new GetObjectCommand({ Bucket, Key: clean.key, VersionId: infected.versionId })),
      ),
      403,
    );
    assert.equal((await fetch(presigned(infected.versionId))).status, 403);

    const unscanned = await put("presigned-unscanned", EICAR);
    const url = presignedGet({
      endpoint: info.endpoint,
      region: info.region,
      bucket: Bucket,
      key: unscanned.key,
      who: info.uploader,
    });
    assert.equal((await fetch(url)).status, 403, "unscanned or infected, never readable");
    assert.equal((await outcome(unscanned)).verdict, INFECTED);
    assert.equal((await fetch(url)).status, 403);
  });

  it("refuses S3 Select, which would crash the gateway, and the gateway stays up", async () => {
    const csv = await put("table.csv", "name,value\na,1\nb,2\n");
    assert.equal((await outcome(csv)).verdict, CLEAN);
    const pid = readStore(paths.storeDir).pids.rgw;
    const select = uploader.send(
      new SelectObjectContentCommand({
        Bucket: info.uploadBucket,
        Key: csv.key,
        Expression: "select * from s3object",
        ExpressionType: "SQL",
        InputSerialization: { CSV: { FileHeaderInfo: "USE" } },
        OutputSerialization: { CSV: {} },
      }),
    );
    assert.equal(await statusOf(select), 403);
    assert.ok(alive(pid), "the gateway still runs");
    assert.equal(readStore(paths.storeDir).pids.rgw, pid);
    assert.equal(
      await statusOf(uploader.send(new GetObjectCommand({ Bucket: info.uploadBucket, Key: csv.key }))),
      200,
    );
  });

  it("refuses the uploader the notification topics, and the pipeline's topic keeps delivering", async () => {
    const { topicArn } = await runnerStatus(info);
    const sns = snsClient({ ...store, endpoint: info.endpoint }, info.uploader);
    assert.equal(await statusOf(sns.send(new ListTopicsCommand({}))), 403);
    assert.equal(await statusOf(sns.send(new CreateTopicCommand({ Name: `attacker-${run}` }))), 403);
    assert.equal(await statusOf(sns.send(new DeleteTopicCommand({ TopicArn: topicArn }))), 403);
    const { Topics = [] } = await snsClient(store, "owner").send(new ListTopicsCommand({}));
    assert.ok(
      Topics.some((t) => t.TopicArn === topicArn),
      "the pipeline's topic is still there",
    );
    assert.ok(!Topics.some((t) => t.TopicArn?.endsWith(`attacker-${run}`)));
    assert.equal((await outcome(await put("after-topics", EICAR))).verdict, INFECTED);
  });

  it("leaves a trace of every refusal: a counter per reason and a log line each", async () => {
    const refused = await refusals();
    for (const reason of [
      Refusals.verdictTag,
      Refusals.serverSideCopy,
      Refusals.tagWrite,
      Refusals.select,
      Refusals.serviceApi,
    ])
      assert.ok((refused[reason] ?? 0) > 0, `${reason}: ${JSON.stringify(refused)}`);
    // The log holds earlier gatekeepers' lines too: count from this one's start.
    const log = readFileSync(info.logs.gatekeeper, "utf8").split("\n");
    const started = log.map((l) => l.includes("gatekeeper listening")).lastIndexOf(true);
    const lines = log.slice(started).filter((l) => l.includes("gatekeeper refused a request"));
    const total = Object.values(refused).reduce((a, b) => a + b, 0);
    assert.equal(lines.length, total);
  });

  it("runs clamd and freshclam with no AWS_ variable in their environment", () => {
    for (const p of engineProcesses()) engines.set(p.pid, p);
    const comms = new Set([...engines.values()].map((p) => p.comm));
    assert.ok(comms.has("clamd") && comms.has("freshclam"), `seen: ${[...comms].join(", ") || "none"}`);
    for (const [pid, p] of engines)
      assert.deepEqual(
        p.env.filter((v) => v.startsWith("AWS_")),
        [],
        `${p.comm} (pid ${pid})`,
      );
  });

  describe("when the store's gateway dies", () => {
    it("restarts it within seconds, and every acknowledged upload gets its verdict (kill -9 mid-stream)", async () => {
      const restartsBefore = (await runnerStatus(info)).gatewayRestarts;
      const oldPid = readStore(paths.storeDir).pids.rgw;
      const bodies = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? EICAR : `clean body ${i}`));
      const uploaded: Uploaded[] = [];
      let failures = 0;
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const i = next++;
          if (i === 10) process.kill(oldPid, "SIGKILL");
          // As a client would: retry until the store acknowledges the upload.
          for (let attempt = 0; ; attempt++) {
            try {
              uploaded.push(await put(`stream-${i}`, bodies[i] as string));
              break;
            } catch (e) {
              failures++;
              if (attempt > 60) throw e;
              await sleep(500);
            }
          }
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      const outcomes = await waitForOutcomes(info, scanner, uploaded, 180_000);
      for (const [i, body] of bodies.entries()) {
        const o = outcomes.get(key(`stream-${i}`));
        assert.equal(o && "verdict" in o ? o.verdict : o, body === EICAR ? INFECTED : CLEAN, `stream-${i}`);
      }
      const status = await runnerStatus(info);
      assert.ok(status.gatewayRestarts > restartsBefore, "the runner restarted the gateway");
      const newPid = readStore(paths.storeDir).pids.rgw;
      assert.notEqual(newPid, oldPid);
      assert.ok(alive(newPid));
      console.log(`      uploads that failed while the gateway was down and were retried: ${failures}`);
    });

    it("keeps scanning whatever an S3 Select sent straight to the gateway does to it", async () => {
      const csv = await put("direct.csv", "name,value\na,1\n");
      assert.equal((await outcome(csv)).verdict, CLEAN);
      const restartsBefore = (await runnerStatus(info)).gatewayRestarts;
      const direct = s3Client(store, "uploader");
      await direct
        .send(
          new SelectObjectContentCommand({
            Bucket: info.uploadBucket,
            Key: csv.key,
            Expression: "select * from s3object",
            ExpressionType: "SQL",
            InputSerialization: { CSV: { FileHeaderInfo: "USE" } },
            OutputSerialization: { CSV: {} },
          }),
        )
        .then(async (r) => {
          for await (const _ of r.Payload ?? []);
        })
        .catch(() => {});
      // Ceph 16.2 has been seen to crash on this request (shared/notes/local-s3-store.md); it does not
      // every time. Either way the gateway must be up afterwards and uploads must get their verdicts.
      await sleep(2 * GATEWAY_CHECK_MS);
      const restarts = (await runnerStatus(info)).gatewayRestarts;
      const pid = readStore(paths.storeDir).pids.rgw;
      assert.ok(alive(pid), "a gateway runs");
      console.log(
        `      the direct S3 Select ${restarts > restartsBefore ? "crashed the gateway, which was restarted" : "left the gateway up this time"}`,
      );
      assert.equal((await outcome(await put("after-crash", EICAR))).verdict, INFECTED);
    });
  });
});
