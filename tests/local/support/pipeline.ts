/** Drives local mode the way a user does: the npm scripts, then S3 calls as the pipeline's users. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { GetObjectTaggingCommand, PutObjectCommand, type S3Client, type Tag } from "@aws-sdk/client-s3";
import { DEFAULT_TAG_SCHEMA } from "../../../core/tags";
import { PROJECT_ROOT } from "../../../local/paths";
import type { PipelineInfo } from "../../../local/pipeline";
import type { RunnerStatus } from "../../../local/runner";

export interface ScriptRun {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs `scripts/<name>.sh` (what `npm start`/`npm stop` run) against the state directory `root`. */
export function runScript(name: "start" | "stop", root: string): Promise<ScriptRun> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [`scripts/${name}.sh`], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, BW_LOCAL_DIR: root },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output, ms: performance.now() - t0 }));
  });
}

export async function runnerStatus(info: PipelineInfo): Promise<RunnerStatus> {
  const res = await fetch(`${info.runner.url}/status`);
  return (await res.json()) as RunnerStatus;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True while `pid` runs. A zombie (exited, not yet reaped by init) does not count: it holds nothing. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

export interface Uploaded {
  key: string;
  versionId?: string;
}

/** Uploads `bodies` (key -> body) as `s3`'s user, `parallel` at a time. */
export async function uploadAll(
  s3: S3Client,
  bucket: string,
  bodies: ReadonlyMap<string, string | Buffer>,
  parallel = 50,
): Promise<Uploaded[]> {
  const entries = [...bodies];
  const out: Uploaded[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      const [key, body] = entries[i];
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      out[i] = { key, versionId: put.VersionId };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

export type Outcome = { verdict: string; tags: Tag[]; ms: number } | { error: string; ms: number };

/** The keys (and versions) listed in the pipeline's dead-letter file. */
export function deadLetters(info: PipelineInfo): Map<string, string> {
  const map = new Map<string, string>();
  if (!existsSync(info.logs.deadLetter)) return map;
  for (const line of readFileSync(info.logs.deadLetter, "utf8").trim().split("\n")) {
    if (!line) continue;
    const d = JSON.parse(line) as { key?: string; versionId?: string; error: string };
    if (d.key) map.set(`${d.key}\n${d.versionId ?? ""}`, d.error);
  }
  return map;
}

/**
 * Polls until every object has a verdict tag or is dead-lettered (an explicit error status), or
 * `timeoutMs` passes; objects with neither are missing from the result.
 */
export async function waitForOutcomes(
  info: PipelineInfo,
  s3: S3Client,
  objects: readonly Uploaded[],
  timeoutMs: number,
): Promise<Map<string, Outcome>> {
  const t0 = performance.now();
  const outcomes = new Map<string, Outcome>();
  const id = (o: Uploaded) => `${o.key}\n${o.versionId ?? ""}`;
  while (outcomes.size < objects.length && performance.now() - t0 < timeoutMs) {
    const dead = deadLetters(info);
    const pending = objects.filter((o) => !outcomes.has(id(o)));
    await Promise.all(
      pending.map(async (o) => {
        const ms = performance.now() - t0;
        const error = dead.get(id(o));
        if (error) {
          outcomes.set(id(o), { error, ms });
          return;
        }
        const { TagSet = [] } = await s3.send(
          new GetObjectTaggingCommand({ Bucket: info.uploadBucket, Key: o.key, VersionId: o.versionId }),
        );
        const verdict = TagSet.find((t) => t.Key === DEFAULT_TAG_SCHEMA.key)?.Value;
        if (verdict !== undefined) outcomes.set(id(o), { verdict, tags: TagSet, ms });
      }),
    );
    if (outcomes.size < objects.length) await sleep(250);
  }
  return new Map([...outcomes].map(([k, v]) => [k.split("\n")[0], v]));
}
