import assert from "node:assert/strict";
import sinon from "sinon";
import { updaterEnvironment } from "../../../core/handler-config";
import { METRICS_NAMESPACE } from "../../../handlers/shared/logger";
import { createDefinitionsBucket } from "../support/buckets";
import { updaterConfig } from "../support/handlers";
import { captureOutput, fakeContext, jsonLines } from "../support/lambda-context";
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
      // What Lambda sets for an on-demand environment; Powertools marks cold starts only then.
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    });
    // Loaded now: the module makes its logger when loaded and the updater on its first invocation,
    // both from the environment set above.
    const entry = require.resolve("../../../handlers/updater/index");
    delete require.cache[entry];
    const { handler } = require(entry) as typeof import("../../../handlers/updater/index");
    const written = captureOutput();
    const result = await handler({}, fakeContext("req-updater-1", "bucketwarden-updater"));
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
    // Powertools' context keys on every log line of the invocation (addContext).
    const logged = jsonLines(written).filter((l) => typeof l.message === "string" && !("_aws" in l));
    assert.ok(logged.length > 0, `no log line in:\n${written.join("")}`);
    for (const line of logged) {
      assert.equal(line.function_request_id, "req-updater-1", JSON.stringify(line));
      assert.equal(line.cold_start, true, JSON.stringify(line));
      assert.equal(line.function_name, "bucketwarden-updater");
    }
  });
});
