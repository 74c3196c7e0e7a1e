/**
 * What the S3 store itself costs, measured once per run so the report can tell the scanner's own
 * overhead from the store's: a round trip without a body (HeadObject), one with a small body
 * (GetObjectTagging), and the GET throughput of a 100 MB object drained to nowhere.
 */
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { bodyChunks } from "../handlers/shared/s3";
import { writeObjectFile } from "./objects";
import { MB, mbPerSecond, percentile } from "./stats";

export interface StoreProbe {
  /** p50 of HeadObject: a request and an answer without a body. */
  headMs: number;
  /** p50 of GetObjectTagging: the same with a small XML body. */
  smallBodyMs: number;
  /** GetObject of 100 MB, body read to the end, in MB/s (best of two). */
  get100MBps: number;
}

async function timed(times: number, run: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  return percentile(ms, 50);
}

/**
 * Probes the store on `bucket`: the uploader puts (and deletes) a 100 MB object, the scanner reads it,
 * as in the warm path (the access rule lets no one else read an object without a verdict).
 */
export async function probeStore(
  clients: { uploader: S3Client; scanner: S3Client },
  bucket: string,
  scratchDir: string,
): Promise<StoreProbe> {
  const s3 = clients.scanner;
  const path = join(scratchDir, "probe-object");
  await writeObjectFile(path, { bytes: 100 * MB, infected: false, seed: "store-probe" });
  const key = "bench/store-probe";
  const size = (await stat(path)).size;
  const put = await clients.uploader.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(path), ContentLength: size }),
  );
  await rm(path, { force: true });
  const at = { Bucket: bucket, Key: key, VersionId: put.VersionId };
  try {
    const headMs = await timed(10, () => s3.send(new HeadObjectCommand(at)));
    const smallBodyMs = await timed(10, () => s3.send(new GetObjectTaggingCommand(at)));
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const got = await s3.send(new GetObjectCommand(at));
      for await (const _ of bodyChunks(got.Body)) {
        // Drained: only the transfer is measured.
      }
      best = Math.min(best, performance.now() - started);
    }
    return { headMs, smallBodyMs, get100MBps: mbPerSecond(size, best) };
  } finally {
    await clients.uploader.send(new DeleteObjectCommand(at));
  }
}
