/**
 * A loopback HTTP server standing in for a private signature mirror. freshclam fetches custom
 * databases with conditional GETs (`If-Modified-Since`), so the server answers 304 when nothing
 * changed, as a real mirror does, and the updater's "nothing new" path is exercised too.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DatabaseFile } from "./signatures";

export interface Mirror {
  /** The URL of each file, for the updater's `DatabaseCustomURL`s. */
  urls: string[];
  close(): Promise<void>;
}

/** Serves `files` on 127.0.0.1 (port 0: any free port). */
export async function startMirror(files: readonly DatabaseFile[], port = 0): Promise<Mirror> {
  // Whole seconds: HTTP dates have no finer resolution, and If-Modified-Since compares them.
  const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000);
  const byPath = new Map(files.map((f) => [`/${f.name}`, f]));
  const server: Server = createServer((req, res) => {
    const file = byPath.get(new URL(req.url ?? "/", "http://mirror").pathname);
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
    urls: files.map((f) => `http://127.0.0.1:${bound}/${f.name}`),
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
