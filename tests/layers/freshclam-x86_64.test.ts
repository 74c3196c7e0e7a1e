import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAYER_BUILD_DIR, layerZipName, toolCommand } from "../../core/layer-layout";
import type { ToolResolver } from "../../handlers/shared/tools";
import { freshclamVersion } from "../../handlers/updater/freshclam";
import { BUILD_TIMEOUT_MS, layersBuilt } from "./support/build";
import { EmptyRoot, type RunResult } from "./support/empty-root";
import { writeSignatures } from "./support/samples";

const PROJECT_ROOT = join(__dirname, "../..");
const FRESHCLAM_ZIP = join(PROJECT_ROOT, LAYER_BUILD_DIR, layerZipName("freshclam", "x86_64"));
/** Lambda runs a function as an unprivileged user; `nobody` needs no /etc/passwd in the root. */
const NOBODY = 65534;

/** A mirror on loopback serving the files of `dir`. */
async function serve(server: Server, dir: string): Promise<string> {
  server.on("request", (req, res) => {
    try {
      res.end(readFileSync(join(dir, (req.url ?? "/").replace(/^\/+/, "").replace(/\.\./g, ""))));
    } catch {
      res.writeHead(404).end();
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A freshclam.conf for `--update-db=custom`: only `test.hdb` from `url`, into /tmp/db (freshclam wants a mirror set all the same). */
function customConf(url: string): string {
  return `DatabaseDirectory /tmp/db\nDNSDatabaseInfo no\nDatabaseMirror ${url}\nDatabaseCustomURL ${url}/test.hdb\nMaxAttempts 1\n`;
}

describe("x86_64 freshclam layer runs with nothing from the host", () => {
  let root: EmptyRoot;
  let mirrorDir: string;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    if (process.arch !== "x64") {
      // The reporter lists skipped titles; say why here, where a reader of the log sees it.
      console.log(
        `  skipped: the x86_64 layer runs natively only on an x86_64 host; this one is ${process.arch}`,
      );
      this.skip();
    }
    await layersBuilt();
    root = new EmptyRoot(FRESHCLAM_ZIP);
    mirrorDir = mkdtempSync(join(tmpdir(), "bw-mirror-"));
    writeSignatures(mirrorDir);
  });
  after(() => {
    root?.dispose();
    if (mirrorDir) rmSync(mirrorDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    rmSync(join(root.tmp, "db"), { recursive: true, force: true });
    mkdirSync(join(root.tmp, "db"));
    chmodSync(join(root.tmp, "db"), 0o777);
  });

  /** Runs `freshclam --update-db=custom` from the mirror at `url` as Lambda would: through toolCommand('/opt'), as nobody. */
  function updateFrom(url: string): Promise<RunResult> {
    writeFileSync(join(root.tmp, "freshclam.conf"), customConf(url));
    const command = toolCommand("/opt", "x86_64", "freshclam", [
      "--config-file=/tmp/freshclam.conf",
      "--update-db=custom",
    ]);
    return root.runAsync([command.command, ...command.args], { env: command.env, uid: NOBODY });
  }

  it("gives the updater its engine version with nothing of the host's ClamAV configuration", async () => {
    writeFileSync(join(root.tmp, "freshclam.conf"), "DatabaseDirectory /tmp/db\n");
    // The updater's own code path, with every tool it starts run inside the root (no /etc at all).
    const insideRoot: ToolResolver = (tool, args) => {
      const inner = toolCommand("/opt", "x86_64", tool, args);
      const [command, hostArgs] = root.command([inner.command, ...inner.args], { uid: NOBODY });
      return { command, args: hostArgs, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...inner.env } };
    };
    assert.match(await freshclamVersion(insideRoot, "/tmp/freshclam.conf"), /^ClamAV 1\.4\.\d+/);
  });

  it("runs freshclam --version with the layer's own freshclam.conf", () => {
    const result = root.run([
      "/opt/bin/freshclam",
      "--config-file=/opt/clamav/etc/freshclam.conf",
      "--version",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ClamAV 1\.4\.6/);
  });

  it("needs --config-file there: freshclam's compiled-in default is /etc/clamav/freshclam.conf, absent on Lambda", () => {
    const result = root.run(["/opt/bin/freshclam", "--version"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /\/etc\/clamav\/freshclam\.conf/);
  });

  it("downloads a database from a mirror into /tmp as an unprivileged user, started through toolCommand('/opt')", async function () {
    this.timeout(60_000);
    const server = createHttpServer();
    try {
      const host = await serve(server, mirrorDir);
      const result = await updateFrom(`http://${host}`);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.ok(
        readFileSync(join(root.tmp, "db/test.hdb")).equals(readFileSync(join(mirrorDir, "test.hdb"))),
      );
    } finally {
      server.close();
    }
  });

  it("refuses an HTTPS mirror whose certificate no CA of the layer's bundle signed", async function () {
    this.timeout(60_000);
    const keys = mkdtempSync(join(tmpdir(), "bw-tls-"));
    try {
      // Debian's openssl (a dependency of ca-certificates) makes a self-signed certificate for 127.0.0.1.
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          join(keys, "key.pem"),
          "-out",
          join(keys, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
      const server = createHttpsServer({
        key: readFileSync(join(keys, "key.pem")),
        cert: readFileSync(join(keys, "cert.pem")),
      });
      try {
        const host = await serve(server, mirrorDir);
        const result = await updateFrom(`https://${host}`);
        const output = result.stdout + result.stderr;
        assert.notEqual(result.status, 0, output);
        // curl's "peer certificate" failure (60), not "problem with the SSL CA cert" (77): the bundle was read.
        assert.match(output, /SSL peer certificate|certificate verify/i);
        assert.doesNotMatch(output, /Problem with the SSL CA cert/);
        assert.equal(readdirSync(join(root.tmp, "db")).includes("test.hdb"), false);
      } finally {
        server.close();
      }
    } finally {
      rmSync(keys, { recursive: true, force: true });
    }
  });
});
