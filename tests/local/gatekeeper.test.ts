import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { type Gatekeeper, startGatekeeper } from "../../local/gatekeeper";
import type { Logger } from "../../local/log";

const BOUNDARY = "----bwtest";
const AUTH =
  "AWS4-HMAC-SHA256 Credential=USERKEY/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

function form(tagKey: string, file: Buffer): Buffer {
  const field = (name: string, value: string) =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return Buffer.concat([
    Buffer.from(
      field("key", "k") +
        field(
          "tagging",
          `<Tagging><TagSet><Tag><Key>${tagKey}</Key><Value>false</Value></Tag></TagSet></Tagging>`,
        ) +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** Sends `body` in small chunks, as a slow browser would, and resolves to the status. */
function send(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/bucket`,
      {
        method: "POST",
        headers: {
          "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
          "content-length": body.length,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    const write = (at: number): void => {
      if (at >= body.length) req.end();
      else req.write(body.subarray(at, at + 997), () => write(at + 997));
    };
    write(0);
  });
}

describe("local gatekeeper proxy", () => {
  let upstream: Server;
  let gatekeeper: Gatekeeper;
  const received: Buffer[] = [];
  const logged: string[] = [];
  const log: Logger = {
    info: () => {},
    warn: (m, a) => logged.push(`${m} ${JSON.stringify(a)}`),
    error: (m) => logged.push(m),
    close: async () => {},
  };

  before(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push(Buffer.concat(chunks));
        res.end("ok");
      });
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    gatekeeper = await startGatekeeper({
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      pipelineKeys: new Set(["PIPELINEKEY"]),
      tags: DEFAULT_TAG_SCHEMA,
      log,
    });
  });

  after(async () => {
    await gatekeeper.close();
    await new Promise((r) => upstream.close(r));
  });

  it("forwards a POST form byte for byte, however it arrives in pieces", async () => {
    const body = form("project", randomBytes(300_000));
    received.length = 0;
    assert.equal(await send(gatekeeper.url, body), 200);
    assert.equal(received.length, 1);
    assert.ok(received[0]?.equals(body), "the gateway got exactly the bytes sent");
  });

  it("refuses a POST form tagging a verdict key, logs and counts it, and forwards nothing", async () => {
    received.length = 0;
    logged.length = 0;
    assert.equal(await send(gatekeeper.url, form("INFECTED", randomBytes(100_000))), 403);
    assert.equal(received.length, 0);
    assert.equal(gatekeeper.refused()["verdict-tag"], 1);
    assert.match(logged.join("\n"), /gatekeeper refused a request.*verdict-tag/);
  });

  it("answers 503, which S3 clients retry, while the gateway is down", async () => {
    const down = await startGatekeeper({
      upstream: "http://127.0.0.1:1",
      pipelineKeys: new Set(),
      tags: DEFAULT_TAG_SCHEMA,
      log,
    });
    try {
      const res = await fetch(`${down.url}/bucket/key`, { headers: { authorization: AUTH } });
      assert.equal(res.status, 503);
    } finally {
      await down.close();
    }
  });
});
