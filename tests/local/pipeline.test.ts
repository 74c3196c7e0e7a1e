import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { pipelineClient, statusOf } from "../../local/client";
import { localPaths, PROJECT_ROOT } from "../../local/paths";
import { gatekeeperPid, type PipelineInfo, readPipeline, runnerPid } from "../../local/pipeline";
import { EICAR } from "../../local/signatures";
import { readStore } from "../../local/store/index";
import {
  alive,
  deadLetters,
  type Outcome,
  runnerStatus,
  runScript,
  sleep,
  type Uploaded,
  uploadAll,
  waitForOutcomes,
} from "./support/pipeline";

// The whole pipeline through `npm start`, in a state directory of its own so that a developer's
// running pipeline (in .local/) is neither reused nor stopped by the tests.
const ROOT = join(PROJECT_ROOT, ".local/e2e");
const paths = localPaths(ROOT);
const TESTFILES = "/usr/share/clamav-testfiles";
const { cleanValue: CLEAN, infectedValue: INFECTED } = DEFAULT_TAG_SCHEMA;
const figures: Record<string, string> = {};

function verdictOf(o: Outcome | undefined): string | undefined {
  return o && "verdict" in o ? o.verdict : undefined;
}

/** Asserts that every uploaded object ended with the verdict its body calls for (EICAR: infected). */
function assertVerdicts(
  uploaded: readonly Uploaded[],
  bodies: ReadonlyMap<string, string>,
  outcomes: ReadonlyMap<string, Outcome>,
): void {
  for (const u of uploaded) {
    const expected = bodies.get(u.key) === EICAR ? INFECTED : CLEAN;
    assert.equal(
      verdictOf(outcomes.get(u.key)),
      expected,
      `${u.key}: ${JSON.stringify(outcomes.get(u.key))}`,
    );
  }
}

interface LoggedEvent {
  source: string;
  detailType: string;
  detail: { key: string; verdict: string; signature?: string };
}

/** The lines of .local/events.jsonl for keys under `prefix`, once there are `count` (or after 20 s). */
async function eventsFor(prefix: string, count: number): Promise<LoggedEvent[]> {
  let found: LoggedEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const text = existsSync(paths.eventsFile) ? readFileSync(paths.eventsFile, "utf8") : "";
    found = text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as LoggedEvent)
      .filter((e) => e.detail.key.startsWith(prefix));
    if (found.length >= count) break;
    await sleep(500);
  }
  return found;
}

describe("local mode end to end, through npm start", function () {
  this.timeout(900_000);
  let info: PipelineInfo;
  let uploader: S3Client;
  const run = Date.now().toString(36);

  before(async () => {
    const started = await runScript("start", ROOT);
    assert.equal(started.code, 0, started.output);
    info = readPipeline(paths) as PipelineInfo;
    uploader = pipelineClient(info, info.uploader);
    figures["npm start, first run"] =
      `${(started.ms / 1000).toFixed(1)} s (pipeline ${(info.startMs / 1000).toFixed(1)} s; runner steps ${JSON.stringify(info.timings)})`;
  });

  after(async () => {
    // Whatever happened above, leave nothing running.
    await runScript("stop", ROOT);
    for (const [what, value] of Object.entries(figures)) console.log(`      ${what}: ${value}`);
  });

  it("is ready on loopback with definitions published and the scanner's environments up", async () => {
    assert.match(info.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(info.runner.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const field of ["uploadBucket", "definitionsBucket", "region"] as const) assert.ok(info[field]);
    for (const who of [info.uploader, info.scanner]) {
      assert.ok(who.accessKeyId && who.secretAccessKey);
    }
    const status = await runnerStatus(info);
    assert.ok(status.readyAt, "the runner says it is ready");
    assert.match(status.definitionsVersion ?? "", /^[0-9a-f]{16}$/);
    assert.equal(status.scanner.length, 2);
    assert.ok(status.scanner.every((e) => e.state === "idle"));
  });

  it("does not start a second copy when npm start runs again", async () => {
    const again = await runScript("start", ROOT);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /already running/);
    assert.equal(readPipeline(paths)?.runner.pid, info.runner.pid);
    assert.equal(runnerPid(paths), info.runner.pid);
    figures["npm start, already running"] = `${(again.ms / 1000).toFixed(1)} s`;
  });

  it("tags files uploaded by the ordinary user within seconds: clean ones clean, EICAR and ClamAV's test files infected", async () => {
    const bodies = new Map<string, string | Buffer>([
      [`tagging/${run}/hello.txt`, "hello\n"],
      [`tagging/${run}/eicar.com`, EICAR],
      [`tagging/${run}/odd key a b+c%d é.txt`, EICAR],
      [`tagging/${run}/clam.zip`, readFileSync(join(TESTFILES, "clam.zip"))],
      [`tagging/${run}/clam_cache_emax.tgz`, readFileSync(join(TESTFILES, "clam_cache_emax.tgz"))],
      [`tagging/${run}/empty`, ""],
    ]);
    const uploaded = await uploadAll(uploader, info.uploadBucket, bodies);
    const outcomes = await waitForOutcomes(info, uploader, uploaded, 30_000);
    const expected: Record<string, string> = {
      "hello.txt": CLEAN,
      "eicar.com": INFECTED,
      "odd key a b+c%d é.txt": INFECTED,
      "clam.zip": INFECTED,
      "clam_cache_emax.tgz": INFECTED,
      empty: CLEAN,
    };
    for (const [name, verdict] of Object.entries(expected)) {
      const o = outcomes.get(`tagging/${run}/${name}`);
      assert.equal(verdictOf(o), verdict, `${name}: ${JSON.stringify(o)}`);
      assert.ok((o?.ms ?? Infinity) < 10_000, `${name} took ${o?.ms} ms`);
    }
    const slowest = Math.max(...[...outcomes.values()].map((o) => o.ms));
    figures["verdicts for 6 files"] = `all within ${(slowest / 1000).toFixed(1)} s of upload`;
    // One verdict event per object in .local/events.jsonl, the schema EventBridge gets on AWS. The
    // scanner writes them after tagging its batch, so they may trail the tags by a moment.
    const events = await eventsFor(`tagging/${run}/`, Object.keys(expected).length);
    assert.deepEqual(
      Object.fromEntries(events.map((e) => [e.detail.key.slice(`tagging/${run}/`.length), e.detail.verdict])),
      Object.fromEntries(
        Object.entries(expected).map(([name, v]) => [name, v === CLEAN ? "clean" : "infected"]),
      ),
    );
    assert.ok(events.every((e) => e.source === "bucketwarden" && e.detailType === "Object Scanned"));
    assert.match(events.find((e) => e.detail.key.endsWith("/eicar.com"))?.detail.signature ?? "", /EICAR/);
    const eicar = outcomes.get(`tagging/${run}/eicar.com`);
    assert.ok(eicar && "tags" in eicar);
    assert.ok(
      eicar.tags.some((t) => t.Key === DEFAULT_TAG_SCHEMA.resultKey && /TEST\.EICAR/.test(t.Value ?? "")),
    );
  });

  it("refuses unscanned and infected objects to the ordinary user and serves clean ones", async () => {
    const get = (Key: string, VersionId?: string) =>
      statusOf(uploader.send(new GetObjectCommand({ Bucket: info.uploadBucket, Key, VersionId })));
    const clean = await uploader.send(
      new PutObjectCommand({ Bucket: info.uploadBucket, Key: `access/${run}/clean.txt`, Body: "fine" }),
    );
    // Asked right after the upload, before a notification could even have reached the runner.
    assert.equal(await get(`access/${run}/clean.txt`, clean.VersionId), 403);
    const bad = await uploader.send(
      new PutObjectCommand({ Bucket: info.uploadBucket, Key: `access/${run}/bad.com`, Body: EICAR }),
    );
    const outcomes = await waitForOutcomes(
      info,
      uploader,
      [
        { key: `access/${run}/clean.txt`, versionId: clean.VersionId },
        { key: `access/${run}/bad.com`, versionId: bad.VersionId },
      ],
      30_000,
    );
    assert.equal(verdictOf(outcomes.get(`access/${run}/clean.txt`)), CLEAN);
    assert.equal(verdictOf(outcomes.get(`access/${run}/bad.com`)), INFECTED);
    assert.equal(await get(`access/${run}/clean.txt`), 200);
    assert.equal(await get(`access/${run}/bad.com`), 403);
    assert.equal(await get(`access/${run}/bad.com`, bad.VersionId), 403);
  });

  it("gives each of 200 objects uploaded at once a verdict or an explicit error status, losing none", async () => {
    const bodies = new Map<string, string>();
    for (let i = 0; i < 200; i++)
      bodies.set(`bulk/${run}/${String(i).padStart(3, "0")}`, i % 10 === 0 ? EICAR : `clean ${i}\n`);
    const t0 = performance.now();
    const uploaded = await uploadAll(uploader, info.uploadBucket, bodies);
    const uploadMs = performance.now() - t0;
    const outcomes = await waitForOutcomes(info, uploader, uploaded, 300_000);
    const totalMs = performance.now() - t0;
    const missing = uploaded.filter((u) => !outcomes.has(u.key)).map((u) => u.key);
    assert.deepEqual(missing, [], "every object ends with a verdict or in the dead-letter file");
    const counts = { clean: 0, infected: 0, error: 0 };
    for (const [key, o] of outcomes) {
      if ("error" in o) counts.error++;
      else {
        const expected = bodies.get(key) === EICAR ? INFECTED : CLEAN;
        assert.equal(o.verdict, expected, key);
        if (o.verdict === CLEAN) counts.clean++;
        else counts.infected++;
      }
    }
    assert.equal(counts.error, 0, "no object needed the dead-letter file on a healthy pipeline");
    // The runner writes an object's verdict line when the invocation that tagged it returns, so the
    // last batch's lines may trail its tags by that batch's remaining scans: wait for them.
    const bulkLines = () =>
      readFileSync(info.logs.verdicts, "utf8")
        .split("\n")
        .filter((l) => l.includes(`bulk/${run}/`));
    const lineDeadline = Date.now() + 60_000;
    while (bulkLines().length < 200 && Date.now() < lineDeadline) await sleep(200);
    assert.equal(bulkLines().length, 200, "one verdict line per object");
    figures["200 objects"] =
      `uploaded in ${(uploadMs / 1000).toFixed(1)} s, all verdicts ${(totalMs / 1000).toFixed(1)} s after the first upload (${counts.clean} clean, ${counts.infected} infected, ${counts.error} errors)`;
  });

  it("scans every object when an execution environment is killed in the middle of a scan", async () => {
    const bodies = new Map<string, string>();
    for (let i = 0; i < 40; i++)
      bodies.set(`crash/${run}/${i}`, i % 4 === 0 ? EICAR : `x${i}`.repeat(20_000));
    const before = await runnerStatus(info);
    const uploads = uploadAll(uploader, info.uploadBucket, bodies, 10);
    let victim: { id: string; pid?: number } | undefined;
    const deadline = Date.now() + 30_000;
    while (!victim && Date.now() < deadline) {
      victim = (await runnerStatus(info)).scanner.find((e) => e.state === "busy");
      if (!victim) await sleep(20);
    }
    assert.ok(victim?.pid, "an environment was caught scanning");
    process.kill(victim.pid, "SIGKILL");
    const uploaded = await uploads;
    assertVerdicts(uploaded, bodies, await waitForOutcomes(info, uploader, uploaded, 120_000));
    const after = await runnerStatus(info);
    assert.ok(!after.scanner.some((e) => e.id === victim?.id), "the killed environment was replaced");
    assert.equal(after.pid, before.pid, "the runner itself went on");
  });

  it("scans objects uploaded while the runner was down once npm start runs again, and refuses them until then", async () => {
    const first = new Map<string, string>();
    for (let i = 0; i < 30; i++) first.set(`outage/${run}/before-${i}`, i % 5 === 0 ? EICAR : `b${i}`);
    const store = readStore(paths.storeDir);
    // Uploads in flight as the runner dies (SIGKILL: a crash, with no chance to tidy up).
    const racing = uploadAll(uploader, info.uploadBucket, first, 10);
    await sleep(150);
    process.kill(info.runner.pid, "SIGKILL");
    const uploadedBefore = await racing;
    const during = new Map<string, string>();
    for (let i = 0; i < 10; i++) during.set(`outage/${run}/during-${i}`, i % 5 === 0 ? EICAR : `d${i}`);
    const uploadedDuring = await uploadAll(uploader, info.uploadBucket, during);
    await sleep(2000);
    assert.ok(!alive(info.runner.pid));
    const unscanned = uploadedDuring[1];
    assert.equal(
      await statusOf(
        uploader.send(
          new GetObjectCommand({
            Bucket: info.uploadBucket,
            Key: unscanned.key,
            VersionId: unscanned.versionId,
          }),
        ),
      ),
      403,
      "an object no one scanned is refused",
    );

    const restarted = await runScript("start", ROOT);
    assert.equal(restarted.code, 0, restarted.output);
    const next = readPipeline(paths) as PipelineInfo;
    assert.notEqual(next.runner.pid, info.runner.pid);
    assert.equal(next.endpoint, info.endpoint, "the store kept running, with its objects");
    assert.deepEqual(readStore(paths.storeDir).pids, store.pids);
    figures["npm start after a runner crash"] = `${(restarted.ms / 1000).toFixed(1)} s`;
    info = next;

    const all: Uploaded[] = [...uploadedBefore, ...uploadedDuring];
    const bodies = new Map([...first, ...during]);
    assertVerdicts(all, bodies, await waitForOutcomes(info, uploader, all, 120_000));
    assert.equal(deadLetters(info).size, 0);
  });

  it("stops everything it started with npm stop, by pid", async () => {
    const status = await runnerStatus(info);
    const store = readStore(paths.storeDir);
    const gatekeeper = gatekeeperPid(paths);
    assert.ok(gatekeeper, "the gatekeeper runs");
    const pids = [
      status.pid,
      gatekeeper,
      ...status.scanner.map((e) => e.pid as number),
      ...Object.values(store.pids),
    ];
    const stopped = await runScript("stop", ROOT);
    assert.equal(stopped.code, 0, stopped.output);
    await sleep(200);
    assert.deepEqual(
      pids.filter((p) => alive(p)),
      [],
      "no process of the pipeline is left",
    );
    assert.ok(!existsSync(paths.pipelineFile));
    assert.deepEqual(existsSync(paths.environmentsDir) ? readdirSync(paths.environmentsDir) : [], []);
  });
});
