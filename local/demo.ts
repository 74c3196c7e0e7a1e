/**
 * `npm run demo`: what the pipeline does, shown on a running local pipeline. As the ordinary user it
 * uploads a clean file and the EICAR test file, tries to download them before and after their scan,
 * and prints each object's tags and whether it could be downloaded.
 */
import "./quiet-sdk-warning";
import { GetObjectCommand, GetObjectTaggingCommand, PutObjectCommand, type Tag } from "@aws-sdk/client-s3";
import { DEFAULT_TAG_SCHEMA } from "../core/tags";
import { pipelineClient, statusOf } from "./client";
import { localPaths } from "./paths";
import { readPipeline } from "./pipeline";
import { EICAR } from "./signatures";

const VERDICT_TIMEOUT_MS = 60_000;

interface Sample {
  label: string;
  key: string;
  body: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function httpWord(status: number): string {
  return status === 200 ? "allowed (200)" : status === 403 ? "refused (403 Access Denied)" : `HTTP ${status}`;
}

async function main(): Promise<void> {
  const p = readPipeline(localPaths());
  if (!p) {
    console.error("No local pipeline is running here: start it with `npm start` first.");
    process.exit(1);
  }
  const s3 = pipelineClient(p, p.uploader);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const samples: Sample[] = [
    {
      label: "a clean text file",
      key: `demo/${stamp}/hello.txt`,
      body: "Hello from the bucketwarden demo.\n",
    },
    { label: "the EICAR test file", key: `demo/${stamp}/eicar.com`, body: EICAR },
  ];
  console.log(`Uploading as the ordinary user (${p.uploader.uid}) to ${p.uploadBucket} at ${p.endpoint}:\n`);
  const rows = await Promise.all(
    samples.map(async (s) => {
      const put = await s3.send(new PutObjectCommand({ Bucket: p.uploadBucket, Key: s.key, Body: s.body }));
      const t0 = performance.now();
      const before = await statusOf(
        s3.send(new GetObjectCommand({ Bucket: p.uploadBucket, Key: s.key, VersionId: put.VersionId })),
      );
      let tags: Tag[] = [];
      while (performance.now() - t0 < VERDICT_TIMEOUT_MS) {
        ({ TagSet: tags = [] } = await s3.send(
          new GetObjectTaggingCommand({ Bucket: p.uploadBucket, Key: s.key, VersionId: put.VersionId }),
        ));
        if (tags.some((t) => t.Key === DEFAULT_TAG_SCHEMA.key)) break;
        await sleep(200);
      }
      const seconds = (performance.now() - t0) / 1000;
      const after = await statusOf(
        s3.send(new GetObjectCommand({ Bucket: p.uploadBucket, Key: s.key, VersionId: put.VersionId })),
      );
      return { s, tags, seconds, before, after };
    }),
  );
  for (const { s, tags, seconds, before, after } of rows) {
    const verdict = tags.find((t) => t.Key === DEFAULT_TAG_SCHEMA.key)?.Value;
    const what =
      verdict === DEFAULT_TAG_SCHEMA.cleanValue
        ? `clean, tagged after ${seconds.toFixed(1)} s`
        : verdict === DEFAULT_TAG_SCHEMA.infectedValue
          ? `INFECTED, tagged after ${seconds.toFixed(1)} s`
          : `no verdict after ${VERDICT_TIMEOUT_MS / 1000} s (see ${p.logs.runner})`;
    console.log(`  ${s.key}  (${s.label})`);
    console.log(`    verdict:             ${what}`);
    console.log(`    tags:                ${tags.map((t) => `${t.Key}=${t.Value}`).join(", ") || "(none)"}`);
    console.log(`    download before it:  ${httpWord(before)}`);
    console.log(`    download now:        ${httpWord(after)}\n`);
  }
  console.log(
    "Until the scanner has tagged an object clean, the bucket policy refuses to serve it; infected objects stay refused.",
  );
  console.log(`Every verdict is also a line in ${p.logs.verdicts}.`);
  const failed = rows.some(({ after }, i) => (i === 0 ? after !== 200 : after !== 403));
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
