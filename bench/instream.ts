/**
 * The limit: a bare clamd `zINSTREAM` client that streams a local file, with nothing between the disk
 * and the socket but the protocol's framing. Kept apart from the scanner's own client on purpose, so
 * that the warm path is measured against the least work a scan can take, not against itself.
 */
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { connect } from "node:net";

/** clamd's own read buffer; larger chunks gain nothing. */
const CHUNK_BYTES = 64 * 1024;

/** Streams the file at `path` to clamd at `socketPath` and returns its reply without the NUL. */
export async function instreamFile(socketPath: string, path: string, timeoutMs = 600_000): Promise<string> {
  const socket = connect(socketPath);
  const timer = setTimeout(
    () => socket.destroy(new Error(`INSTREAM timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  let received = "";
  const reply = new Promise<string>((resolve, reject) => {
    socket.on("data", (d) => {
      received += d.toString("utf8");
      if (received.includes("\0")) resolve(received.slice(0, received.indexOf("\0")));
    });
    socket.on("end", () => resolve(received));
    socket.on("error", reject);
  });
  reply.catch(() => {});
  try {
    await once(socket, "connect");
    socket.write("zINSTREAM\0");
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE((chunk as Buffer).length);
      socket.write(header);
      if (!socket.write(chunk)) await Promise.race([once(socket, "drain"), reply]);
    }
    socket.write(Buffer.alloc(4));
    return await reply;
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
