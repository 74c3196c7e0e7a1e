import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { pipelineClient, statusOf } from "../../local/client";
import { localPaths, PROJECT_ROOT } from "../../local/paths";
import { type PipelineInfo, readPipeline } from "../../local/pipeline";
import { EICAR } from "../../local/signatures";
import { runCli } from "./support/cli";
import { runScript, waitForOutcomes } from "./support/pipeline";

// A pipeline of its own (npm start in a state directory of the test's), so its .local/signatures/
// is the test's and a developer's pipeline is left alone.
const ROOT = join(PROJECT_ROOT, ".local/cli-e2e");
const paths = localPaths(ROOT);
const { key: VERDICT, cleanValue: CLEAN, infectedValue: INFECTED } = DEFAULT_TAG_SCHEMA;

describe("bucketwarden --local: rescan when new signatures arrive (real store and engine)", function () {
  this.timeout(600_000);
  let info: PipelineInfo;
  let uploader: S3Client;
  let scanner: S3Client;
  const run = Date.now().toString(36);
  // A text no TEST signature knows: clean today.
  const soonBad = `harmless today, known malware after the update ${run}\n`;
  const key = `rescan/${run}/soon-bad.txt`;
  let versionId: string | undefined;

  it("says the local pipeline is not running, and how to start it, before npm start", async () => {
    const r = await runCli(
      ["status", "--local", "bucketwarden-uploads"],
      join(PROJECT_ROOT, ".local/cli-none"),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the local pipeline is not running .* start it with `npm start`/);
  });

  describe("with the pipeline running", () => {
    before(async () => {
      // The user's signature files outlive npm stop; a previous run's must not be served at start.
      rmSync(paths.signaturesDir, { recursive: true, force: true });
      const started = await runScript("start", ROOT);
      assert.equal(started.code, 0, started.output);
      info = readPipeline(paths) as PipelineInfo;
      uploader = pipelineClient(info, info.uploader);
      scanner = pipelineClient(info, info.scanner);
      const put = await uploader.send(
        new PutObjectCommand({ Bucket: info.uploadBucket, Key: key, Body: soonBad }),
      );
      versionId = put.VersionId;
      await uploader.send(
        new PutObjectCommand({ Bucket: info.uploadBucket, Key: `rescan/${run}/eicar.com`, Body: EICAR }),
      );
      const outcomes = await waitForOutcomes(info, scanner, [{ key, versionId }], 60_000);
      const o = outcomes.get(key);
      assert.ok(
        o && "verdict" in o && o.verdict === CLEAN,
        `the file is clean before the update: ${JSON.stringify(o)}`,
      );
    });

    after(async () => {
      await runScript("stop", ROOT);
    });

    it("prints the bucket owner's credentials in pipeline.json, shaped like the other users'", () => {
      const owner = (JSON.parse(readFileSync(paths.pipelineFile, "utf8")) as PipelineInfo).owner;
      assert.deepEqual(Object.keys(owner).sort(), ["accessKeyId", "secretAccessKey", "uid"]);
      assert.notEqual(owner.accessKeyId, info.uploader.accessKeyId);
    });

    it("lets the uploader read the file while it is clean", async () => {
      assert.equal(
        await statusOf(
          uploader.send(new GetObjectCommand({ Bucket: info.uploadBucket, Key: key, VersionId: versionId })),
        ),
        200,
      );
    });

    it("rescans nothing while the definitions are those the file was scanned with", async () => {
      // Also leaves the batch runner's environments warm with the old definitions, as a user's own
      // rescan would: the update below must not rescan on them.
      const r = await runCli(["rescan", "--local", info.uploadBucket], ROOT);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      // Both objects keep the verdicts they had (one clean, one infected): nothing is scanned anew.
      assert.match(r.stdout, /^ {2}scanned: {5}2$/m);
      assert.match(r.stdout, /^ {2}kept: {8}2 \(verdict already from the current definitions\)$/m);
    });

    it("flips the file to infected after update --local with its signature in .local/signatures/, with no manual rescan", async () => {
      const body = Buffer.from(soonBad);
      const md5 = createHash("md5").update(body).digest("hex");
      mkdirSync(paths.signaturesDir, { recursive: true });
      writeFileSync(
        join(paths.signaturesDir, "tomorrow.hdb"),
        `${md5}:${body.length}:Bucketwarden.TEST.Tomorrow\n`,
      );

      const r = await runCli(["update", "--local"], ROOT);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Updater: published; definitions \w+ -> \w+; [1-9]\d* signature\(s\) added\./);
      assert.match(r.stdout, /^Started the rescan of bucketwarden-uploads \(run [\w-]+\)\.$/m);
      assert.match(r.stdout, /^progress: /m, "plain progress lines off a terminal");
      assert.match(r.stdout, /^ {2}infected: {4}[1-9]/m);
      assert.match(r.stdout, /^ {2}report: {6}\S+report\.csv$/m);

      const { TagSet = [] } = await scanner.send(
        new GetObjectTaggingCommand({ Bucket: info.uploadBucket, Key: key, VersionId: versionId }),
      );
      assert.equal(TagSet.find((t) => t.Key === VERDICT)?.Value, INFECTED);
      assert.match(
        TagSet.find((t) => t.Key === DEFAULT_TAG_SCHEMA.resultKey)?.Value ?? "",
        /Bucketwarden\.TEST\.Tomorrow/,
      );
      assert.equal(
        await statusOf(
          uploader.send(new GetObjectCommand({ Bucket: info.uploadBucket, Key: key, VersionId: versionId })),
        ),
        403,
      );
    });

    it("says in the runner's log which object the new signatures caught", () => {
      const lines = readFileSync(paths.runnerLog, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { message: string; key?: string; result?: string });
      const caught = lines.find((l) => l.message.startsWith("rescan: object infected") && l.key === key);
      assert.ok(caught, "a log line names the object");
      assert.match(caught.result ?? "", /Bucketwarden\.TEST\.Tomorrow/);
    });

    it("counts versions by verdict with status --local, and the definitions the scanner uses", async () => {
      const r = await runCli(["status", "--local", info.uploadBucket], ROOT);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ {2}infected: {4}2$/m);
      assert.match(r.stdout, /^ {2}clean: {7}0$/m);
      assert.match(r.stdout, /^definitions: \w+$/m);
      assert.match(r.stdout, /^backlog: no unfinished run$/m);
    });

    it("finds nothing to do on a second update: no signature added, no rescan", async () => {
      const r = await runCli(["update", "--local"], ROOT);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /0 signature\(s\) added\.\nNo rescan needed\./);
    });

    it("refuses scan-existing on a bucket the pipeline does not protect, naming protect --local", async () => {
      const r = await runCli(["scan-existing", "--local", "someone-elses"], ROOT);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /not protected by the local pipeline; adopt it first: npx bucketwarden protect --local someone-elses/,
      );
    });
  });
});
