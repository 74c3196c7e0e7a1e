import assert from "node:assert/strict";
import sinon from "sinon";
import { updaterEnvironment } from "../../../core/handler-config";
import { METRICS_NAMESPACE } from "../../../handlers/shared/logger";
// The module creates the updater on its first invocation, from the environment set below.
import { handler } from "../../../handlers/updater/index";
import { createDefinitionsBucket } from "../support/buckets";
import { updaterConfig } from "../support/handlers";
import { TestMirror } from "../support/mirror";
import { testStore } from "../support/store";
import { layerRoot } from "../support/tools";

/**
 * The updater's Lambda entry point as the deploy-time invocation runs it, with nothing published
 * and the CDN refusing: it must return, not throw, and emit the metric the stack's alarm watches.
 */
describe("updater Lambda handler, first deploy against a refusing mirror", () => {
  const saved = { ...process.env };
  let mirror: TestMirror;
  afterEach(async () => {
    process.env = { ...saved };
    sinon.restore();
    await mirror?.stop();
  });

  it("returns no-definitions instead of failing the invocation, and emits DefinitionsMissing=1", async function () {
    this.timeout(60_000);
    mirror = await new TestMirror().start();
    mirror.refuse("*", 403);
    const bucket = await createDefinitionsBucket();
    const store = await testStore();
    const config = await updaterConfig(bucket, [], {
      officialDatabases: true,
      databaseMirrors: [mirror.url()],
      minUpdateIntervalSeconds: 3600,
    });
    Object.assign(process.env, updaterEnvironment({ ...config, layerRoot: layerRoot("freshclam") }), {
      AWS_ACCESS_KEY_ID: store.users.owner.accessKeyId,
      AWS_SECRET_ACCESS_KEY: store.users.owner.secretAccessKey,
      AWS_REGION: store.region,
      POWERTOOLS_LOG_LEVEL: "ERROR",
    });
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    sinon.stub(process.stdout, "write").callsFake((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    const result = await handler({}, { getRemainingTimeInMillis: () => 600_000 });
    sinon.restore();

    assert.equal(result.status, "no-definitions");
    const emf = written
      .flatMap((w) => w.split("\n"))
      .filter((l) => l.includes('"_aws"'))
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & {
            _aws: { CloudWatchMetrics: Array<{ Namespace: string }> };
          },
      );
    const missing = emf.find((m) => "DefinitionsMissing" in m);
    assert.ok(missing, `no DefinitionsMissing metric in:\n${written.join("")}`);
    assert.equal(missing.DefinitionsMissing, 1);
    assert.equal(missing._aws.CloudWatchMetrics[0].Namespace, METRICS_NAMESPACE);
  });
});
