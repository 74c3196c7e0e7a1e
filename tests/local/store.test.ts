import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, DeleteTopicCommand } from "@aws-sdk/client-sns";
import {
  readStore,
  type StoreInfo,
  type StoreRole,
  StoreRoles,
  s3Client,
  snsClient,
  startStore,
  stopStore,
  storeStatus,
} from "../../local/store";

// Store *capability* tests: they prove, on the real gateway, the behaviour the project's access rule
// and notification wiring rely on (shared/notes/local-s3-store.md). The access rule itself is tested
// elsewhere; the policy here is written out by hand on purpose.

const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/** The HTTP status of an S3 call: 200 when it succeeds, the error's status when the store refuses. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === undefined) throw error;
    return status;
  }
}

/** Readers are denied objects tagged Infected=true or without the tag, except the scanner by username. */
function guardedBucketPolicy(bucket: string, store: StoreInfo): string {
  const arn = (role: StoreRole) => `arn:aws:iam:::user/${store.users[role].uid}`;
  const objects = `arn:aws:s3:::${bucket}/*`;
  const reads = ["s3:GetObject", "s3:GetObjectVersion"];
  const notScanner = { "aws:username": store.users.scanner.uid };
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "UploaderWritesAndReads",
        Effect: "Allow",
        Principal: { AWS: [arn("uploader")] },
        Action: ["s3:PutObject", ...reads],
        Resource: objects,
      },
      {
        // The gateway keeps the old ACL ownership model: objects belong to their uploader, so even a
        // reader of the bucket owner's choosing needs this grant.
        Sid: "ScannerReadsAndTags",
        Effect: "Allow",
        Principal: { AWS: [arn("scanner")] },
        Action: [
          ...reads,
          "s3:GetObjectTagging",
          "s3:GetObjectVersionTagging",
          "s3:PutObjectTagging",
          "s3:PutObjectVersionTagging",
        ],
        Resource: objects,
      },
      {
        Sid: "DenyInfected",
        Effect: "Deny",
        Principal: "*",
        Action: reads,
        Resource: objects,
        Condition: {
          StringEquals: { "s3:ExistingObjectTag/Infected": "true" },
          StringNotEquals: notScanner,
        },
      },
      {
        // StringNotEquals on a missing tag does not match on this store, so untagged needs Null.
        Sid: "DenyUntagged",
        Effect: "Deny",
        Principal: "*",
        Action: reads,
        Resource: objects,
        Condition: { Null: { "s3:ExistingObjectTag/Infected": "true" }, StringNotEquals: notScanner },
      },
    ],
  });
}

/** The fields of an S3 event record that the scanner's event parsing reads. */
interface EventRecord {
  eventSource: string;
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size: number; eTag: string } };
}

/** Pids of live processes whose command line names `conf`: what a stopped store must not leave. */
function processesUsing(conf: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const state = /^State:\s*(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
        return state !== "Z" && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(conf);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

describe("local S3 store (single-node Ceph RADOS Gateway)", () => {
  // A store given by BW_STORE_DIR (npm test starts one) is shared and left running; otherwise this
  // suite starts its own in a temporary directory and stops it.
  const sharedDir = process.env.BW_STORE_DIR;
  const dir = sharedDir ?? mkdtempSync(join(tmpdir(), "bw-store-test-"));
  let store: StoreInfo;
  let client: (role: StoreRole) => S3Client;

  before(async function () {
    this.timeout(180_000);
    store = await startStore({ dir });
    const clients = Object.fromEntries(StoreRoles.map((role) => [role, s3Client(store, role)]));
    client = (role) => clients[role];
  });

  after(async function () {
    this.timeout(60_000);
    if (sharedDir === undefined) {
      await stopStore(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("a bucket policy with object-tag conditions", () => {
    const bucket = uniqueName("bw-cap-tags");
    const keys = { infected: "infected.txt", clean: "clean.txt", untagged: "untagged.txt" };
    const get = (role: StoreRole, Key: string) =>
      client(role).send(new GetObjectCommand({ Bucket: bucket, Key }));

    before(async function () {
      this.timeout(60_000);
      await client("owner").send(new CreateBucketCommand({ Bucket: bucket }));
      await client("owner").send(
        new PutBucketPolicyCommand({ Bucket: bucket, Policy: guardedBucketPolicy(bucket, store) }),
      );
      for (const Key of Object.values(keys)) {
        await client("uploader").send(new PutObjectCommand({ Bucket: bucket, Key, Body: `body of ${Key}` }));
      }
      const tag = (Key: string, Value: string) =>
        client("scanner").send(
          new PutObjectTaggingCommand({
            Bucket: bucket,
            Key,
            Tagging: { TagSet: [{ Key: "Infected", Value }] },
          }),
        );
      await tag(keys.infected, "true");
      await tag(keys.clean, "false");
    });

    it("denies the uploader GET and HEAD of an object tagged Infected=true", async () => {
      assert.equal(await statusOf(get("uploader", keys.infected)), 403);
      assert.equal(
        await statusOf(
          client("uploader").send(new HeadObjectCommand({ Bucket: bucket, Key: keys.infected })),
        ),
        403,
      );
    });

    it("denies the bucket owner reads of an object tagged Infected=true too", async () => {
      assert.equal(await statusOf(get("owner", keys.infected)), 403);
    });

    it("denies the uploader reads of an untagged object through a Null condition", async () => {
      assert.equal(await statusOf(get("uploader", keys.untagged)), 403);
    });

    it("lets the uploader read an object tagged Infected=false", async () => {
      assert.equal(await statusOf(get("uploader", keys.clean)), 200);
    });

    it("lets the scanner read infected and untagged objects through its aws:username exemption", async () => {
      assert.equal(await statusOf(get("scanner", keys.infected)), 200);
      assert.equal(await statusOf(get("scanner", keys.untagged)), 200);
    });

    it("applies a re-tag to the next read at once", async () => {
      await client("scanner").send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: keys.untagged,
          Tagging: { TagSet: [{ Key: "Infected", Value: "false" }] },
        }),
      );
      assert.equal(await statusOf(get("uploader", keys.untagged)), 200);
    });
  });

  describe("a versioned bucket", () => {
    const bucket = uniqueName("bw-cap-versions");
    const Key = "report.pdf";
    const versions: string[] = [];

    before(async function () {
      this.timeout(60_000);
      await client("owner").send(new CreateBucketCommand({ Bucket: bucket }));
      await client("owner").send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
      );
      await client("owner").send(
        new PutBucketPolicyCommand({ Bucket: bucket, Policy: guardedBucketPolicy(bucket, store) }),
      );
      for (const [body, infected] of [
        ["first upload", "true"],
        ["second upload", "false"],
      ] as const) {
        const put = await client("uploader").send(new PutObjectCommand({ Bucket: bucket, Key, Body: body }));
        assert.ok(put.VersionId, "a versioned bucket returns a VersionId");
        versions.push(put.VersionId);
        await client("scanner").send(
          new PutObjectTaggingCommand({
            Bucket: bucket,
            Key,
            VersionId: put.VersionId,
            Tagging: { TagSet: [{ Key: "Infected", Value: infected }] },
          }),
        );
      }
    });

    it("keeps a tag set per version", async () => {
      const tagsOf = async (VersionId: string) =>
        (await client("scanner").send(new GetObjectTaggingCommand({ Bucket: bucket, Key, VersionId })))
          .TagSet;
      assert.deepEqual(await tagsOf(versions[0]), [{ Key: "Infected", Value: "true" }]);
      assert.deepEqual(await tagsOf(versions[1]), [{ Key: "Infected", Value: "false" }]);
    });

    it("evaluates the tag condition against the version requested", async () => {
      const get = (VersionId?: string) =>
        statusOf(client("uploader").send(new GetObjectCommand({ Bucket: bucket, Key, VersionId })));
      assert.equal(await get(), 200, "latest version, tagged Infected=false");
      assert.equal(await get(versions[1]), 200, "second version by id");
      assert.equal(await get(versions[0]), 403, "first version by id, tagged Infected=true");
    });
  });

  describe("bucket notifications", () => {
    const bucket = uniqueName("bw-cap-events");
    const topicName = uniqueName("bw-cap-topic");
    const Key = "uploads/event.txt";
    let listener: Server;
    let topicArn: string | undefined;
    const received: unknown[] = [];

    before(async () => {
      // Acknowledge at once: the gateway retries a failing listener in a tight loop.
      listener = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          response.writeHead(200).end();
          received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        });
      });
      await new Promise<void>((listening) => listener.listen(0, "127.0.0.1", listening));
    });

    after(async function () {
      this.timeout(30_000);
      // Remove the bucket (and so its notification) and the topic before the listener goes, so a
      // shared store does not keep retrying deliveries to a closed port.
      await statusOf(client("owner").send(new DeleteObjectCommand({ Bucket: bucket, Key })));
      await statusOf(client("owner").send(new DeleteBucketCommand({ Bucket: bucket })));
      if (topicArn !== undefined)
        await snsClient(store, "owner").send(new DeleteTopicCommand({ TopicArn: topicArn }));
      await new Promise((closed) => listener.close(closed));
    });

    it("pushes an S3 event record for a new object to a loopback listener through a persistent topic", async function () {
      this.timeout(90_000);
      const { port } = listener.address() as AddressInfo;
      const topic = await snsClient(store, "owner").send(
        new CreateTopicCommand({
          Name: topicName,
          Attributes: { "push-endpoint": `http://127.0.0.1:${port}`, persistent: "true" },
        }),
      );
      topicArn = topic.TopicArn;
      assert.ok(topicArn, "CreateTopic returns the topic's ARN");
      await client("owner").send(new CreateBucketCommand({ Bucket: bucket }));
      await client("owner").send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            TopicConfigurations: [{ Id: "created", TopicArn: topicArn, Events: ["s3:ObjectCreated:*"] }],
          },
        }),
      );
      await client("owner").send(new PutObjectCommand({ Bucket: bucket, Key, Body: "hello" }));

      // The first delivery after creating a topic has taken up to 15 s here.
      const deadline = Date.now() + 60_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(received.length > 0, "no event reached the listener within 60 s");

      const { Records } = received[0] as { Records: EventRecord[] };
      assert.equal(Records.length, 1);
      const [record] = Records;
      assert.equal(record.eventSource, "ceph:s3");
      assert.match(record.eventName, /^ObjectCreated:/);
      assert.equal(record.s3.bucket.name, bucket);
      assert.equal(record.s3.object.key, Key);
      assert.equal(record.s3.object.size, 5);
      assert.equal(typeof record.s3.object.eTag, "string");
    });
  });

  describe("lifecycle", () => {
    it("returns the running store unchanged when started again", async function () {
      this.timeout(30_000);
      const startedAt = Date.now();
      const again = await startStore({ dir });
      assert.deepEqual(again, store);
      assert.ok(Date.now() - startedAt < 10_000, "a second start only checks the running store");
    });

    it("stops every daemon it started, waits for them and empties its directory", async function () {
      this.timeout(180_000);
      // Never stop a shared store: prove it on a store of this test's own.
      const ownDir = sharedDir === undefined ? dir : mkdtempSync(join(tmpdir(), "bw-store-stop-"));
      try {
        const own = sharedDir === undefined ? store : await startStore({ dir: ownDir });
        assert.deepEqual(processesUsing(own.conf).sort(), Object.values(own.pids).sort());

        await stopStore(ownDir);

        assert.deepEqual(processesUsing(own.conf), []);
        assert.deepEqual(readdirSync(ownDir), [".bwstore"]);
        assert.equal(await storeStatus(ownDir), "stopped");
        assert.throws(() => readStore(ownDir), /cannot be read/);
      } finally {
        if (ownDir !== dir) {
          await stopStore(ownDir);
          rmSync(ownDir, { recursive: true, force: true });
        }
      }
    });
  });
});
