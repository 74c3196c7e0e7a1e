/**
 * A signature mirror on loopback: serves database files from memory with Last-Modified and
 * If-Modified-Since, the way freshclam's DatabaseCustomURL downloads expect of a web server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export class TestMirror {
  private readonly files = new Map<string, { body: Buffer; modified: Date }>();
  private server?: Server;
  /** Requests seen, as `METHOD /path status`. */
  readonly requests: string[] = [];

  /** Serves `body` at `/name`, modified now (rounded down to HTTP's one-second precision). */
  set(name: string, body: string | Buffer, modified = new Date()): void {
    modified.setMilliseconds(0);
    this.files.set(name, { body: Buffer.from(body), modified });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const file = this.files.get((req.url ?? "").replace(/^\//, ""));
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

  /** The URL of a served file. */
  url(name: string): string {
    if (!this.server) throw new Error("the mirror is not started");
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/${name}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
