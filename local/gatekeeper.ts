/**
 * Local mode's gatekeeper: a streaming loopback proxy in front of the store's gateway, at the
 * endpoint `pipeline.json` publishes. It refuses what the gateway (Ceph 16.2) lets through but AWS
 * would not, or what crashes it (the rules are in gatekeeper-rules.ts), and passes every other
 * request through byte for byte, so signatures made for its address verify at the gateway. The
 * pipeline's own processes talk to the gateway directly.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { TagSchema } from "../core/tags";
import {
  type Decision,
  decide,
  formBoundary,
  isFormPost,
  parseFormPreamble,
  type Refusal,
  Refusals,
} from "./gatekeeper-rules";
import type { Logger } from "./log";

export interface GatekeeperOptions {
  /** The gateway's own endpoint, `http://127.0.0.1:<port>`. */
  upstream: string;
  pipelineKeys: ReadonlySet<string>;
  tags: TagSchema;
  log: Logger;
  port?: number;
  /** Called after each refusal with the counts so far. */
  refusedChanged?: (refused: Record<string, number>) => void;
}

export interface Gatekeeper {
  url: string;
  port: number;
  /** Requests refused so far, by reason. */
  refused(): Record<string, number>;
  close(): Promise<void>;
}

// S3 caps a POST form's fields at 20 KB; a preamble this large is not one a client needs.
const MAX_FORM_PREAMBLE = 64 * 1024;

function answer(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<&>]/g, "")}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a form's preamble (its fields up to the file part) without consuming more than that. */
function readFormPreamble(
  req: IncomingMessage,
): Promise<{ buffered: Buffer; fields?: Map<string, string>; bad?: string }> {
  const boundary = formBoundary(String(req.headers["content-type"] ?? ""));
  return new Promise((resolve, reject) => {
    if (!boundary) return resolve({ buffered: Buffer.alloc(0), bad: "no multipart boundary" });
    let buffered = Buffer.alloc(0);
    const finish = (result: { fields?: Map<string, string>; bad?: string }) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", reject);
      req.pause();
      resolve({ buffered, ...result });
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const p = parseFormPreamble(buffered, boundary);
      if (p.state === "done") finish({ fields: p.fields });
      else if (p.state === "bad") finish({ bad: p.reason });
      else if (buffered.length > MAX_FORM_PREAMBLE) finish({ bad: "the form's fields are too large" });
    };
    const onEnd = () => {
      const p = parseFormPreamble(buffered, boundary);
      finish(p.state === "done" ? { fields: p.fields } : { bad: "the form ended early" });
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

/** Starts the gatekeeper on a loopback port (`options.port`, else a free one). */
export async function startGatekeeper(o: GatekeeperOptions): Promise<Gatekeeper> {
  const upstream = new URL(o.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts: Record<string, number> = {};

  const refuse = (req: IncomingMessage, res: ServerResponse, d: Decision) => {
    counts[d.refusal] = (counts[d.refusal] ?? 0) + 1;
    o.log.warn("gatekeeper refused a request", {
      refusal: d.refusal,
      detail: d.detail,
      method: req.method,
      url: req.url,
      accessKeys: d.accessKeys,
    });
    const malformed = d.refusal === Refusals.malformed;
    answer(res, malformed ? 400 : 403, malformed ? "InvalidRequest" : "AccessDenied", d.detail);
    o.refusedChanged?.({ ...counts });
    // Nothing more of the body is needed; do not let a large upload keep the socket busy.
    req.resume();
  };

  const forward = (req: IncomingMessage, res: ServerResponse, preamble?: Buffer) => {
    const up = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", (e) => {
      // The gateway is down (restarting): a 503 is what S3 clients retry.
      if (!res.headersSent)
        answer(res, 503, "ServiceUnavailable", `the store's gateway is unavailable: ${e.message}`);
      else res.destroy(e);
      req.resume();
    });
    res.on("close", () => {
      if (!res.writableFinished) up.destroy();
    });
    if (preamble && preamble.length > 0) up.write(preamble);
    req.pipe(up);
    req.resume();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const parts = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers };
    const context = { pipelineKeys: o.pipelineKeys, tags: o.tags };
    if (!isFormPost(parts)) {
      const d = decide(parts, context);
      return d ? refuse(req, res, d) : forward(req, res);
    }
    const form = await readFormPreamble(req);
    if (form.bad) {
      return refuse(req, res, {
        refusal: Refusals.malformed,
        detail: `POST form: ${form.bad}`,
        accessKeys: [],
      });
    }
    const d = decide({ ...parts, formFields: form.fields }, context);
    return d ? refuse(req, res, d) : forward(req, res, form.buffered);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      o.log.error("gatekeeper failed on a request", { error: String(e), url: req.url });
      if (!res.headersSent) answer(res, 500, "InternalError", "the gatekeeper failed");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    refused: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

export type { Refusal };
