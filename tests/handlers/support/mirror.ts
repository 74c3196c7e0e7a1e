/**
 * A signature mirror on loopback: serves database files from memory with Last-Modified and
 * If-Modified-Since, the way freshclam's DatabaseCustomURL downloads expect of a web server.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export class TestMirror {
  private readonly files = new Map<string, { body: Buffer; modified: Date }>();
  private readonly refusals = new Map<string, { status: number; headers: Record<string, string> }>();
  private readonly stalled = new Set<string>();
  private readonly held: ServerResponse[] = [];
  private server?: Server;
  /** Requests seen, as `METHOD /path status`. */
  readonly requests: string[] = [];

  /** Serves `body` at `/name`, modified now (rounded down to HTTP's one-second precision). */
  set(name: string, body: string | Buffer, modified = new Date()): void {
    modified.setMilliseconds(0);
    this.files.set(name, { body: Buffer.from(body), modified });
  }

  /** Answers requests for `/name` (`*`: any) with `status` (e.g. 429 with Retry-After, as a CDN rate-limits). */
  refuse(name: string, status: number, headers: Record<string, string> = {}): void {
    this.refusals.set(name, { status, headers });
  }

  /** Never answers requests for `/name` (`*`: any) until stopped, as a mirror that hangs. */
  stall(name: string): void {
    this.stalled.add(name);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const name = (req.url ?? "").replace(/^\//, "");
      if (this.stalled.has(name) || this.stalled.has("*")) {
        this.requests.push(`${req.method} ${req.url} stalled`);
        this.held.push(res);
        return;
      }
      const refusal = this.refusals.get(name) ?? this.refusals.get("*");
      if (refusal) {
        this.requests.push(`${req.method} ${req.url} ${refusal.status}`);
        res.writeHead(refusal.status, refusal.headers).end();
        return;
      }
      const file = this.files.get(name);
      let status = 200;
      if (!file) status = 404;
      else {
        const since = Date.parse(req.headers["if-modified-since"] ?? "");
        if (!Number.isNaN(since) && file.modified.getTime() <= since) status = 304;
      }
      this.requests.push(`${req.method} ${req.url} ${status}`);
      if (!file || status !== 200) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(200, {
        "Content-Length": file.body.length,
        "Last-Modified": file.modified.toUTCString(),
        "Content-Type": "application/octet-stream",
      });
      res.end(req.method === "HEAD" ? undefined : file.body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return this;
  }

  /** The URL of a served file; without a name, the mirror's own (as a DatabaseMirror). */
  url(name = ""): string {
    if (!this.server) throw new Error("the mirror is not started");
    const { port } = this.server.address() as AddressInfo;
    return name ? `http://127.0.0.1:${port}/${name}` : `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
