/**
 * A loopback HTTP server standing in for a private signature mirror. freshclam fetches custom
 * databases with conditional GETs (`If-Modified-Since`), so the server answers 304 when nothing
 * changed, as a real mirror does, and the updater's "nothing new" path is exercised too.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DatabaseFile } from "./signatures";

export interface Mirror {
  /** The URL of each file served now, for the updater's `DatabaseCustomURL`s. */
  readonly urls: string[];
  close(): Promise<void>;
}

/**
 * Serves `files` on 127.0.0.1 (port 0: any free port). A function is called again for every request
 * and for every read of `urls`, so files added meanwhile (`.local/signatures/`) are served too.
 */
export async function startMirror(
  files: readonly DatabaseFile[] | (() => readonly DatabaseFile[]),
  port = 0,
): Promise<Mirror> {
  const current = typeof files === "function" ? files : () => files;
  // Whole seconds: HTTP dates have no finer resolution, and If-Modified-Since compares them.
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://mirror").pathname;
    const file = current().find((f) => `/${f.name}` === path);
    const lastModified = file?.modified ?? startedAt;
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(file ? 405 : 404).end();
      return;
    }
    const since = Date.parse(req.headers["if-modified-since"] ?? "");
    const headers = { "Last-Modified": lastModified.toUTCString() };
    if (!Number.isNaN(since) && since >= lastModified.getTime()) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      "Content-Type": "application/octet-stream",
      "Content-Length": file.content.length,
    });
    res.end(req.method === "HEAD" ? undefined : file.content);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    get urls() {
      return current().map((f) => `http://127.0.0.1:${bound}/${f.name}`);
    },
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
