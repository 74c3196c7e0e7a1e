/**
 * The runner: what AWS provides around the two functions, on one machine. It serves the signature
 * mirror, receives the store's notifications into a durable queue, invokes the scanner for them as
 * Lambda's SQS event source would, runs the updater once and then on its schedule, and lists the
 * upload bucket for objects without a verdict at start and periodically.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { ScheduledEvent } from "aws-lambda";
import type { BacklogJob, BacklogRequest, BucketStatus } from "../cli/backend";
import type { ProtectResult, UpdateResult } from "../cli/local-commands";
import { EnvVars } from "../core/handler-config";
import { currentArchitecture } from "../core/layer-layout";
import { manifestKey } from "../core/manifest";
import type { MarkReport } from "../core/marker";
import { DEFAULT_TAG_SCHEMA } from "../core/tags";
import { BacklogRunner, countVerdicts } from "./backlog";
import { verdictOfResult } from "./backlog-report";
import type { PipelineBuckets } from "./buckets";
import { Dispatcher } from "./dispatcher";
import { PipelineStartError } from "./errors";
import { type FunctionContext, FunctionNames, scannerFunction, updaterFunction } from "./functions";
import type { GatekeeperState } from "./gatekeeper-daemon";
import { type GatewaySupervisor, superviseGateway } from "./gateway-supervisor";
import { FunctionPool } from "./lambda/pool";
import { type Logger, lineWriter } from "./log";
import { type Mirror, startMirror } from "./mirror";
import { createSpareTopic, type SpareTopic, subscribe, TOPIC_PREFIX } from "./notifications";
import { Outcomes, Verdicts } from "./outcomes";
import type { LocalPaths } from "./paths";
import { writeJsonFile } from "./pipeline";
import { ProtectError, protectBucket } from "./protect";
import { DurableQueue, objectIdentity } from "./queue";
import { type ApiRequest, type ReceivedRecord, startReceiver } from "./receiver";
import { unscannedObjects } from "./reconcile";
import type { LocalSettings } from "./settings";
import { testDatabase, userSignatures } from "./signatures";
import { s3RecordFor } from "./sqs-event";
import { reviveGateway, type StoreInfo, s3Client, snsClient } from "./store/index";

export interface RunnerOptions {
  paths: LocalPaths;
  settings: LocalSettings;
  store: StoreInfo;
  buckets: PipelineBuckets;
  projectRoot: string;
  log: Logger;
}

/** What the runner tells `npm start`, the tests and `GET /status` about itself. */
export interface RunnerStatus {
  pid: number;
  url: string;
  topicArn: string;
  startedAt: string;
  readyAt?: string;
  /** Milliseconds spent on each start step. */
  timings: Record<string, number>;
  definitionsVersion?: string;
  queue: { pending: number; inFlight: number };
  settled: number;
  deadLettered: number;
  scanner: ReturnType<FunctionPool["status"]>;
  updater: { lastRunAt?: string; lastStatus?: string; lastError?: string };
  /** The endpoint users reach (the gatekeeper, a process of its own) and what it refused, by reason. */
  gatekeeper: { url: string; refused: Record<string, number> };
  /** Times the store's gateway died and was started again. */
  gatewayRestarts: number;
}

// How often the runner looks whether the store's gateway still runs.
const GATEWAY_POLL_MS = 500;
// A new gateway takes over the dead one's notification queue only when the dead one's lock on it
// expires: measured here, events of uploads made after a revival arrived ~90 s late. Until then the
// runner lists the bucket every few seconds instead, so no upload waits for that.
const CATCH_UP_MS = 150_000;
const CATCH_UP_EVERY_MS = 2_000;

// How long a fresh topic may take to deliver its first notification (the store polls every 30 s).
const PROBE_TIMEOUT_MS = 90_000;
const PROBE_REPEAT_MS = 5_000;

export class Runner {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly probes = new Map<string, () => void>();
  private readonly settledVersions = new Set<string>();
  private readonly startedAt = new Date();
  private readonly timings: Record<string, number> = {};
  private readonly updaterState: RunnerStatus["updater"] = {};
  private readyAt?: Date;
  private definitionsVersion?: string;
  private updating?: Promise<UpdateResult>;
  private batchPoolGetter: () => Promise<FunctionPool> = () => {
    throw new PipelineStartError("the batch runner is not set up yet");
  };
  private updaterFactory: (urls: string[]) => FunctionPool = () => {
    throw new PipelineStartError("the updater is not set up yet");
  };
  private topicArn = "";
  private url = "";
  private supervisor?: GatewaySupervisor;
  private catchUp?: { timer: NodeJS.Timeout; until: number };
  private closers: Array<() => Promise<void> | void> = [];
  private backlog?: BacklogRunner;
  private batchPool?: Promise<FunctionPool>;
  private topicName = "";
  private mirror?: Mirror;
  private updater?: { pool: FunctionPool; urls: string };
  /** The signature count of the last published definitions this runner saw. */
  private lastSignatures?: number;
  private readonly protectedBuckets = new Set<string>();

  private constructor(
    private readonly o: RunnerOptions,
    private readonly queue: DurableQueue,
    private readonly dispatcher: Dispatcher,
    private readonly scanner: FunctionPool,
    private readonly outcomes: Outcomes,
  ) {}

  /** Starts everything and resolves once the pipeline is ready; rejects with what went wrong. */
  static async start(o: RunnerOptions): Promise<Runner> {
    const { paths, settings, store, buckets, log } = o;
    const arch = currentArchitecture();
    if (!arch) throw new PipelineStartError(`no Lambda architecture matches this machine (${process.arch})`);
    const context = {
      projectRoot: o.projectRoot,
      arch,
      store,
      definitionsBucket: buckets.definitionsBucket,
    };
    const scannerLog = lineWriter(paths.functionLog(FunctionNames.scanner));
    const scanner = new FunctionPool(
      scannerFunction({
        ...context,
        timeoutSeconds: settings.scannerTimeoutSeconds,
        eventsFile: paths.eventsFile,
        // Read by the scanner's own config parser, which rejects anything but one http(s) URL.
        eventsUrl: process.env[EnvVars.eventsUrl] || undefined,
        actions: buckets.actions,
      }),
      { concurrency: settings.concurrency, tmpRoot: paths.environmentsDir, log: scannerLog.line },
    );
    const queue = new DurableQueue(paths.journalFile);
    const verdicts = lineWriter(paths.verdictLog);
    const outcomes = new Outcomes({
      verdicts,
      deadLetterFile: paths.deadLetterFile,
      tagReader: s3Client(store, "scanner"),
      tags: DEFAULT_TAG_SCHEMA,
      log,
    });
    let runner: Runner | undefined;
    const dispatcher = new Dispatcher({
      queue,
      scanner,
      batchSize: settings.batchSize,
      retry: { maxAttempts: settings.maxAttempts, baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs },
      region: store.region,
      settled: (s) =>
        outcomes.record(s).then(
          (verdict) => {
            // Known to carry a verdict: the periodic reconcile need not read its tags again.
            if (verdict === Verdicts.clean || verdict === Verdicts.infected)
              runner?.settledVersions.add(objectIdentity(s.item.object));
          },
          (e) => log.error("could not record an outcome", { error: String(e) }),
        ),
      retrying: (item, error, delayMs) =>
        log.warn("attempt failed; retrying", {
          key: item.object.key,
          attempts: item.attempts,
          delayMs,
          error,
        }),
    });
    runner = new Runner(o, queue, dispatcher, scanner, outcomes);
    runner.protectedBuckets.add(buckets.uploadBucket);
    for (const b of readProtected(paths)) runner.protectedBuckets.add(b);
    const self = runner;
    runner.batchPoolGetter = () => self.batchEnvironments(context, batchLog.line);
    const batchLog = lineWriter(paths.functionLog(`${FunctionNames.scanner}-batch`));
    runner.backlog = new BacklogRunner({
      runsDir: paths.runsDir,
      pool: () => self.batchPoolGetter(),
      lister: s3Client(store, "owner"),
      tagReader: s3Client(store, "scanner"),
      tags: DEFAULT_TAG_SCHEMA,
      log,
      onResult: (run, entry, result) => {
        if (run.request.kind !== "rescan" || verdictOfResult(result.resultString) !== "infected") return;
        // The point of a rescan: a file clean under yesterday's signatures is known malware today.
        const line = {
          time: new Date().toISOString(),
          bucket: entry.bucket,
          key: entry.key,
          versionId: entry.versionId,
          verdict: "infected",
          result: result.resultString,
          source: "rescan",
          run: run.id,
        };
        verdicts.line(JSON.stringify(line));
        log.warn("rescan: object infected under the new definitions", line);
      },
    });
    runner.closers.push(
      () => batchLog.close(),
      () => scannerLog.close(),
      () => verdicts.close(),
      () => queue.close(),
    );
    try {
      await runner.bringUp(context);
    } catch (e) {
      await runner.stop();
      throw e;
    }
    return runner;
  }

  private async bringUp(context: Omit<FunctionContext, "timeoutSeconds">): Promise<void> {
    const { paths, settings, store, buckets, log } = this.o;
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await fn();
      this.timings[name] = Math.round(performance.now() - t0);
      return r;
    };

    const supervisor = superviseGateway({
      store,
      pollMs: GATEWAY_POLL_MS,
      revive: reviveGateway,
      revived: (s, downMs) => {
        log.warn("the store's gateway had died; started a new one", { pid: s.pids.rgw, downMs });
        if (this.readyAt) this.catchUpAfterRevival();
      },
      failed: (e) => log.error("could not restart the store's gateway", { error: String(e) }),
    });
    this.supervisor = supervisor;
    this.closers.push(
      () => supervisor.stop(),
      () => clearInterval(this.catchUp?.timer),
    );

    const test = testDatabase();
    const testNames = new Set(test.map((f) => f.name));
    mkdirSync(paths.signaturesDir, { recursive: true });
    const mirror = await step("mirror", () =>
      startMirror(() => [...test, ...userSignatures(paths.signaturesDir, testNames)]),
    );
    this.mirror = mirror;
    this.closers.push(() => mirror.close());
    const updaterLog = lineWriter(paths.functionLog(FunctionNames.updater));
    this.updaterFactory = (urls) =>
      new FunctionPool(
        updaterFunction({ ...context, mirrorUrls: urls, timeoutSeconds: settings.updaterTimeoutSeconds }),
        { concurrency: 1, tmpRoot: paths.environmentsDir, log: updaterLog.line },
      );
    this.closers.push(
      () => this.updater?.pool.shutdown(),
      () => updaterLog.close(),
    );

    const handlers = {
      accept: (records: ReceivedRecord[]) => this.accept(records),
      reject: (record: unknown, reason: string) => {
        log.error("notification names no object; dropped", { reason });
        appendFileSync(
          paths.deadLetterFile,
          `${JSON.stringify({ time: new Date().toISOString(), error: `unusable notification: ${reason}`, record })}\n`,
        );
      },
      status: () => this.status(),
      reconcile: () => this.reconcile(),
      api: (request: ApiRequest) => this.api(request),
    };
    // The topic the previous runner set aside has been known to the store long enough to deliver at
    // once; it needs its receiver on the port it names. Without it, a new topic (up to 30 s).
    const { spare } = readRunnerState(paths);
    const receiver = await step("receiver", async () =>
      spare
        ? await startReceiver(handlers, spare.port).catch(() => startReceiver(handlers))
        : startReceiver(handlers),
    );
    this.url = receiver.url;
    this.closers.push(() => receiver.close());
    const topicName =
      spare && receiver.port === spare.port ? spare.topicName : `${TOPIC_PREFIX}${Date.now().toString(36)}`;

    const owner = s3Client(store, "owner");
    const sns = snsClient(store, "owner");
    const nextSpare = await step("spare-topic", () => createSpareTopic(sns));
    writeJsonFile(paths.runnerStateFile, { spare: nextSpare } satisfies RunnerState);
    const subscription = await step("subscribe", () =>
      subscribe({
        s3: owner,
        sns,
        buckets: [buckets.uploadBucket, buckets.probeBucket, ...this.adoptedBuckets()],
        endpoint: receiver.url,
        topicName,
        keep: [nextSpare.topicName],
      }),
    );
    this.topicArn = subscription.topicArn;
    this.topicName = topicName;

    const update = () => this.update(owner);
    const definitions = step("updater", update);
    const environments = step("scanner-init", () => this.scanner.provision());
    await Promise.all([
      definitions,
      environments,
      step("notifications", () => this.probe(owner)),
      Promise.all([definitions, environments]).then(() => step("scanner-warm", () => this.warmScanners())),
    ]);
    if (!this.definitionsVersion) throw new PipelineStartError("the updater published no definitions");

    const queued = await step("reconcile", () => this.reconcile());
    const resumed = this.backlog?.resumeUnfinished() ?? [];
    if (resumed.length > 0) log.info("resuming unfinished backlog runs", { runs: resumed });
    this.readyAt = new Date();
    log.info("pipeline ready", {
      timings: this.timings,
      queued,
      definitionsVersion: this.definitionsVersion,
    });
    this.timers.push(
      setInterval(
        () => void update().catch((e) => log.error("updater run failed", { error: String(e) })),
        settings.updateIntervalSeconds * 1000,
      ),
      setInterval(
        () =>
          void this.reconcile().catch((e) =>
            // The next round tries again; the store may be restarting.
            log.warn("reconcile failed", { error: String(e) }),
          ),
        settings.reconcileIntervalSeconds * 1000,
      ),
    );
  }

  /** The records the receiver took in: probes answered, the rest made durable and dispatched. */
  private accept(records: ReceivedRecord[]): void {
    const work = [];
    for (const r of records) {
      if (r.object.bucket === this.o.buckets.probeBucket) this.probes.get(r.object.key)?.();
      else work.push({ record: r.record, object: r.object, source: "notification" as const });
    }
    this.queue.add(work);
    if (this.readyAt) this.dispatcher.pump();
  }

  /** Uploads to the probe bucket until the topic delivers, proving notifications reach the receiver. */
  private async probe(owner: ReturnType<typeof s3Client>): Promise<void> {
    const key = `probe-${randomUUID()}`;
    const arrived = new Promise<void>((resolve) => this.probes.set(key, resolve));
    const deadline = Date.now() + PROBE_TIMEOUT_MS;
    try {
      while (Date.now() < deadline) {
        await owner.send(
          new PutObjectCommand({ Bucket: this.o.buckets.probeBucket, Key: key, Body: "probe" }),
        );
        const got = await Promise.race([arrived.then(() => true), sleep(PROBE_REPEAT_MS).then(() => false)]);
        if (got) return;
      }
      throw new PipelineStartError(
        `the store delivered no notification to ${this.url} within ${PROBE_TIMEOUT_MS / 1000} s`,
      );
    } finally {
      this.probes.delete(key);
      // The probe bucket is unversioned: one delete leaves it empty.
      await owner
        .send(new DeleteObjectCommand({ Bucket: this.o.buckets.probeBucket, Key: key }))
        .catch(() => {});
    }
  }

  /**
   * Invokes every scanner environment once with an event naming no object. The scanner brings its
   * engine up to the published definitions before looking at the event, so each environment starts
   * clamd with the database loaded now, not on the first upload. A failure here is not fatal: the
   * first real invocation tries again, and reports it.
   */
  private async warmScanners(): Promise<void> {
    const runs = Array.from({ length: this.scanner.available }, () => this.scanner.invoke({ Records: [] }));
    for (const r of await Promise.all(runs)) {
      if (r.error)
        this.o.log.warn("scanner warm-up failed", { error: `${r.error.errorType}: ${r.error.errorMessage}` });
    }
  }

  /**
   * One updater run (never two at once); remembers the published version. The updater gets the
   * mirror's files as they are now: a signature file added to `.local/signatures/` since the last run
   * gives it a new environment with that file's URL. When the new definitions add signatures, every
   * protected bucket is rescanned over the rescan window.
   */
  private update(owner: ReturnType<typeof s3Client>): Promise<UpdateResult> {
    this.updating ??= (async (): Promise<UpdateResult> => {
      const { log, buckets, settings } = this.o;
      const previousVersion = this.definitionsVersion;
      const urls = this.mirror?.urls ?? [];
      if (this.updater?.urls !== urls.join(" ")) {
        await this.updater?.pool.shutdown();
        this.updater = { pool: this.updaterFactory(urls), urls: urls.join(" ") };
      }
      const event = scheduledEvent(this.o.store.region);
      const invocation = await this.updater.pool.invoke(event);
      this.updaterState.lastRunAt = new Date().toISOString();
      let result: {
        status?: string;
        version?: string;
        signatures?: number;
        signatureChange?: { added?: boolean; signaturesAdded?: number };
      } = {};
      if (invocation.error) {
        this.updaterState.lastError = `${invocation.error.errorType}: ${invocation.error.errorMessage}`;
        log.error("updater failed", { error: this.updaterState.lastError });
      } else {
        result = (invocation.response as typeof result | null) ?? {};
        this.updaterState.lastStatus = result.status;
        this.updaterState.lastError = undefined;
        log.info("updater ran", {
          status: result.status,
          version: result.version,
          signatures: result.signatures,
          durationMs: Math.round(invocation.durationMs),
        });
      }
      // What counts is what the scanner will read: the manifest in the bucket.
      try {
        const m = await owner.send(
          new GetObjectCommand({
            Bucket: buckets.definitionsBucket,
            Key: manifestKey(buckets.definitionsPrefix),
          }),
        );
        this.definitionsVersion = (
          JSON.parse(await (m.Body?.transformToString() ?? "{}")) as { version?: string }
        ).version;
      } catch (e) {
        log.error("no definitions manifest in the bucket", { error: String(e) });
      }
      // The updater says how many signatures were added when it knows; else the counts are compared.
      const counted =
        this.lastSignatures !== undefined && result.signatures !== undefined
          ? Math.max(0, result.signatures - this.lastSignatures)
          : 0;
      // The updater compares the databases with the previous manifest's (core/definitions-event); its
      // `added` also covers signatures replaced at a level count.
      const change = result.signatureChange;
      const signaturesAdded =
        this.definitionsVersion !== previousVersion ? (change?.signaturesAdded ?? counted) : 0;
      const added = change ? change.added === true : signaturesAdded > 0;
      if (result.signatures !== undefined) this.lastSignatures = result.signatures;
      // The batch runner's warm environments check the manifest at most once a minute
      // (BW_DEFINITIONS_CHECK_INTERVAL_MS), and would take their older definitions for the current ones:
      // they are replaced, between runs, before anything scans with the new definitions.
      if (this.definitionsVersion !== previousVersion && this.batchPool && this.backlog) {
        const stale = this.batchPool;
        void this.backlog.exclusive(async () => {
          if (this.batchPool === stale) this.batchPool = undefined;
          await (await stale).shutdown();
        });
      }
      const rescans: BacklogJob[] = [];
      if (added && previousVersion !== undefined && settings.rescanWindowSeconds > 0) {
        for (const bucket of this.protectedBuckets) {
          const job = this.backlog?.start({
            kind: "rescan",
            bucket,
            sinceMs: settings.rescanWindowSeconds * 1000,
          });
          if (job) rescans.push(job);
        }
        log.info("signatures added: rescanning the protected buckets", {
          signaturesAdded,
          windowSeconds: settings.rescanWindowSeconds,
          runs: rescans.map((j) => j.id),
        });
      }
      return {
        status: invocation.error ? "failed" : (result.status ?? "unknown"),
        previousVersion,
        version: this.definitionsVersion,
        signaturesAdded,
        rescans,
      };
    })().finally(() => {
      this.updating = undefined;
    });
    return this.updating;
  }

  /** The batch runner's execution environments: started on first use, warm from then on. */
  private batchEnvironments(
    context: Omit<FunctionContext, "timeoutSeconds">,
    log: (line: string) => void,
  ): Promise<FunctionPool> {
    this.batchPool ??= (async () => {
      const { paths, settings } = this.o;
      const pool = new FunctionPool(
        scannerFunction({
          ...context,
          timeoutSeconds: settings.scannerTimeoutSeconds,
          eventsFile: paths.eventsFile,
          eventsUrl: process.env[EnvVars.eventsUrl] || undefined,
        }),
        { concurrency: settings.batchConcurrency, tmpRoot: paths.environmentsDir, log },
      );
      this.closers.unshift(() => pool.shutdown());
      await pool.provision();
      return pool;
    })();
    return this.batchPool;
  }

  private adoptedBuckets(): string[] {
    return [...this.protectedBuckets].filter((b) => b !== this.o.buckets.uploadBucket);
  }

  /** The command's API: backlog runs, bucket status, updater runs and adoption. */
  private async api(r: ApiRequest): Promise<[number, unknown] | undefined> {
    const backlog = this.backlog as BacklogRunner;
    const body = (r.body ?? {}) as Record<string, unknown>;
    const notProtected = (bucket: string): [number, unknown] => [
      409,
      {
        error: `bucket ${bucket} is not protected by the local pipeline; adopt it first: npx bucketwarden protect --local ${bucket}`,
      },
    ];
    if (r.method === "POST" && r.path === "/backlog") {
      const kind = body.kind;
      const bucket = body.bucket;
      const sinceMs = body.sinceMs;
      if ((kind !== "scan-existing" && kind !== "rescan") || typeof bucket !== "string")
        return [400, { error: "body must be {kind: scan-existing|rescan, bucket, sinceMs?}" }];
      if (sinceMs !== undefined && !(typeof sinceMs === "number" && sinceMs > 0))
        return [400, { error: "sinceMs must be a positive number" }];
      if (!this.protectedBuckets.has(bucket)) return notProtected(bucket);
      const request: BacklogRequest = { kind, bucket, ...(sinceMs !== undefined ? { sinceMs } : {}) };
      return [200, backlog.start(request)];
    }
    const run = /^\/backlog\/([\w-]+)$/.exec(r.path);
    if (r.method === "GET" && run) {
      const view = backlog.view(run[1]);
      return view ? [200, view] : [404, { error: `no run ${run[1]}` }];
    }
    const bucketStatus = /^\/buckets\/([^/]+)\/status$/.exec(r.path);
    if (r.method === "GET" && bucketStatus) {
      const bucket = decodeURIComponent(bucketStatus[1]);
      if (!this.protectedBuckets.has(bucket)) return notProtected(bucket);
      const { store } = this.o;
      const counts = await countVerdicts(
        s3Client(store, "owner"),
        s3Client(store, "scanner"),
        bucket,
        DEFAULT_TAG_SCHEMA,
      );
      const status: BucketStatus = {
        bucket,
        counts,
        definitionsVersion: this.definitionsVersion,
        backlog: backlog.unfinished(bucket).map((v) => v.progress),
      };
      return [200, status];
    }
    if (r.method === "POST" && r.path === "/update")
      return [200, await this.update(s3Client(this.o.store, "owner"))];
    if (r.method === "POST" && r.path === "/protect") {
      const bucket = body.bucket;
      if (typeof bucket !== "string") return [400, { error: "body must be {bucket, strict?}" }];
      try {
        return [200, await this.protect(bucket, body.strict === true)];
      } catch (e) {
        if (e instanceof ProtectError) return [409, { error: e.message }];
        throw e;
      }
    }
    return undefined;
  }

  /** Adopts `bucket` (local/protect.ts) and starts its backlog scan. */
  private async protect(bucket: string, strict: boolean): Promise<ProtectResult> {
    const { store, buckets, paths, log } = this.o;
    const backlog = this.backlog as BacklogRunner;
    const pool = await this.batchPoolGetter();
    // Between runs: the marker uses the batch runner's environments, which a run keeps busy.
    const steps = await backlog.exclusive(() =>
      protectBucket(
        {
          owner: s3Client(store, "owner"),
          buckets,
          topic: { name: this.topicName, arn: this.topicArn },
          mark: async (event) => {
            const invocation = await pool.invoke(event);
            if (invocation.error)
              throw new ProtectError(
                `the scanner's marker failed (${invocation.error.errorType}: ${invocation.error.errorMessage}); ` +
                  "if it does not know the event, the handler bundles predate it: npm run build:handlers, then npm stop && npm start",
              );
            return invocation.response as MarkReport;
          },
          remember: (b) => {
            this.protectedBuckets.add(b);
            writeJsonFile(paths.protectedFile, this.adoptedBuckets());
          },
        },
        bucket,
        strict,
      ),
    );
    log.info("bucket adopted", { bucket, strict, steps });
    const job = backlog.start({ kind: "scan-existing", bucket });
    return { bucket, steps, job };
  }

  /**
   * After a gateway revival: lists the bucket now (objects stored before the crash whose event the
   * dead gateway never sent) and every few seconds until the new gateway delivers events again.
   */
  private catchUpAfterRevival(): void {
    const { log } = this.o;
    const round = () =>
      void this.reconcile().catch((e) => log.warn("reconcile failed", { error: String(e) }));
    round();
    const until = Date.now() + CATCH_UP_MS;
    if (this.catchUp) {
      this.catchUp.until = until;
      return;
    }
    const timer = setInterval(() => {
      if (this.catchUp && Date.now() > this.catchUp.until) {
        clearInterval(timer);
        this.catchUp = undefined;
        return;
      }
      round();
    }, CATCH_UP_EVERY_MS);
    this.catchUp = { timer, until };
  }

  /** Queues every object version that has no verdict yet; resolves to how many were new to the queue. */
  async reconcile(): Promise<number> {
    const { store, buckets, log } = this.o;
    const found = await unscannedObjects({
      lister: s3Client(store, "owner"),
      tagReader: s3Client(store, "scanner"),
      bucket: buckets.uploadBucket,
      tags: DEFAULT_TAG_SCHEMA,
      settled: this.settledVersions,
    });
    const now = new Date();
    const added = this.queue.add(
      found.map((object) => ({
        object,
        record: s3RecordFor(object, store.region, now),
        source: "reconcile" as const,
      })),
    );
    if (added.length > 0) log.info("reconcile queued objects without a verdict", { queued: added.length });
    this.dispatcher.pump();
    return added.length;
  }

  status(): RunnerStatus {
    return {
      pid: process.pid,
      url: this.url,
      topicArn: this.topicArn,
      startedAt: this.startedAt.toISOString(),
      readyAt: this.readyAt?.toISOString(),
      timings: this.timings,
      definitionsVersion: this.definitionsVersion,
      queue: { pending: this.queue.size, inFlight: this.queue.inFlightCount },
      settled: this.outcomes.settledCount,
      deadLettered: this.outcomes.deadLettered,
      scanner: this.scanner.status(),
      updater: this.updaterState,
      gatekeeper: readGatekeeperState(this.o.paths),
      gatewayRestarts: this.supervisor?.restarts() ?? 0,
    };
  }

  /**
   * Stops taking work, gives running invocations `graceMs` to finish, then ends every environment.
   * Whatever did not finish stays in the journal for the next runner.
   */
  async stop(graceMs = 10_000): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.race([this.backlog?.stop(), sleep(graceMs)]);
    await Promise.race([this.dispatcher.stop(), sleep(graceMs)]);
    await this.scanner.shutdown();
    for (const close of this.closers.reverse()) await close();
    this.closers = [];
  }
}

/** The gatekeeper's address and refusals by reason, as its own process publishes them. */
function readGatekeeperState(paths: LocalPaths): RunnerStatus["gatekeeper"] {
  try {
    const s = JSON.parse(readFileSync(paths.gatekeeperFile, "utf8")) as GatekeeperState;
    return { url: s.url, refused: s.refused };
  } catch {
    return { url: "", refused: {} };
  }
}

/** The buckets adopted with `protect --local`, as `protected.json` lists them. */
function readProtected(paths: LocalPaths): string[] {
  try {
    return JSON.parse(readFileSync(paths.protectedFile, "utf8")) as string[];
  } catch {
    return [];
  }
}

/** What one runner leaves the next, in `runner-state.json`. */
interface RunnerState {
  spare?: SpareTopic;
}

function readRunnerState(paths: LocalPaths): RunnerState {
  return existsSync(paths.runnerStateFile)
    ? (JSON.parse(readFileSync(paths.runnerStateFile, "utf8")) as RunnerState)
    : {};
}

/** The event EventBridge sends a function on a schedule. */
function scheduledEvent(region: string): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    region,
    resources: [`arn:aws:events:${region}:000000000000:rule/${FunctionNames.updater}-schedule`],
    detail: {},
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
