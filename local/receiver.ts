/**
 * The loopback endpoint the store's notification topic pushes to. It acknowledges as soon as the
 * records are safe in the runner's journal: the store retries a failed push in a tight loop with no
 * backoff (and gives up on it in longer runs), so retrying is the runner's job, never the store's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ObjectRef, parseS3Records } from "../core/events";

/** One record of a notification and the object it names. */
export interface ReceivedRecord {
  record: unknown;
  object: ObjectRef;
}

export interface ReceiverHandlers {
  /** Makes the records durable; must not return before they are. Throwing answers 500. */
  accept(records: ReceivedRecord[]): void;
  /** A record that cannot name an object: it can never succeed, so it is reported, not retried. */
  reject(record: unknown, reason: string): void;
  /** The body of `GET /status`. */
  status(): unknown;
  /** `POST /reconcile`: lists the bucket for objects without a verdict; resolves to how many were queued. */
  reconcile(): Promise<number>;
  /**
   * The command's API (`/backlog`, `/update`, `/protect`, `/buckets/...`): the status code and body
   * of the answer, or undefined for a path it does not serve (404).
   */
  api?(request: ApiRequest): Promise<[number, unknown] | undefined>;
}

/** A request to the runner's API, its body parsed as JSON. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface Receiver {
  port: number;
  url: string;
  close(): Promise<void>;
}

// A notification is one small record; anything this large is not one.
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" }).end(`${JSON.stringify(body)}\n`);
}

/** Splits a pushed body into records that name objects, and records that cannot. */
export function splitNotification(body: string): {
  accepted: ReceivedRecord[];
  rejected: Array<[unknown, string]>;
} {
  const accepted: ReceivedRecord[] = [];
  const rejected: Array<[unknown, string]> = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { accepted, rejected: [[body, "body is not JSON"]] };
  }
  const records = (parsed as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return { accepted, rejected: [[parsed, "body has no Records array"]] };
  for (const record of records) {
    try {
      // One record at a time, so one bad record does not take its neighbours with it.
      for (const object of parseS3Records([record])) accepted.push({ record, object });
    } catch (e) {
      rejected.push([record, (e as Error).message]);
    }
  }
  return { accepted, rejected };
}

/** Listens on 127.0.0.1:`port` (0: any free port). */
export async function startReceiver(handlers: ReceiverHandlers, port = 0): Promise<Receiver> {
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://receiver");
      const path = url.pathname;
      if (req.method === "GET" && path === "/status") return json(res, 200, handlers.status());
      if (req.method === "POST" && path === "/reconcile")
        return json(res, 200, { queued: await handlers.reconcile() });
      if (handlers.api && path !== "/") {
        const text = req.method === "POST" ? await readBody(req) : "";
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          return json(res, 400, { error: "body is not JSON" });
        }
        const answer = await handlers
          .api({ method: req.method ?? "GET", path, query: url.searchParams, body })
          .catch((e: Error): [number, unknown] => [500, { error: e.message, name: e.name }]);
        if (answer) return json(res, answer[0], answer[1]);
      }
      if (req.method !== "POST" || path !== "/") return json(res, 404, { error: "not found" });
      const { accepted, rejected } = splitNotification(await readBody(req));
      for (const [record, reason] of rejected) handlers.reject(record, reason);
      handlers.accept(accepted);
      res.writeHead(200).end();
    } catch (e) {
      // Only when the journal could not be written: the store will push again.
      if (!res.headersSent) json(res, 500, { error: (e as Error).message });
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
