/**
 * clamd's socket protocol: one command per connection, `z`-prefixed and NUL-terminated, the reply
 * NUL-terminated too. `zINSTREAM` sends the object as `<4-byte big-endian length><bytes>` chunks and
 * a zero-length chunk to end it; the object never touches the disk on our side.
 */
import { connect, type Socket } from "node:net";
import { EngineError } from "../../core/errors";
import { ObjectReadError } from "./errors";

/** clamd reads chunks into a buffer of this size at most. */
const MAX_CHUNK = 64 * 1024;

function withSocket<T>(
  socketPath: string,
  timeoutMs: number,
  what: string,
  run: (socket: Socket, reply: Promise<string>) => Promise<T>,
): Promise<T> {
  const socket = connect(socketPath);
  let received = "";
  const reply = new Promise<string>((resolve, reject) => {
    socket.on("data", (d) => {
      received += d.toString("utf8");
      // One reply per connection, NUL-terminated: it is complete as soon as the NUL arrives.
      if (received.includes("\0")) resolve(received.slice(0, received.indexOf("\0")));
    });
    socket.on("end", () => resolve(received));
    socket.on("error", (cause) =>
      reject(new EngineError(`clamd ${what} failed: ${cause.message}`, received || undefined, { cause })),
    );
  });
  reply.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EngineError(`clamd ${what} timed out after ${timeoutMs} ms`, received || undefined)),
      timeoutMs,
    );
  });
  return Promise.race([run(socket, reply), timeout]).finally(() => {
    clearTimeout(timer);
    socket.destroy();
  });
}

/** Sends one command (`PING`, `RELOAD`, `VERSION`...) and returns clamd's reply without the NUL. */
export function clamdCommand(socketPath: string, command: string, timeoutMs: number): Promise<string> {
  return withSocket(socketPath, timeoutMs, command, async (socket, reply) => {
    socket.write(`z${command}\0`);
    return reply;
  });
}

/** What clamd said about one stream, and how many bytes it was sent. */
export interface InstreamReply {
  reply: string;
  bytes: number;
}

/**
 * Streams `body` to clamd with `zINSTREAM` and returns its reply. If the body fails, the connection
 * is dropped without the terminating chunk, so clamd never gives a verdict on part of an object
 * ({@link ObjectReadError}). clamd may answer early (its size limit): the rest of the body is then
 * not read. Socket failures and timeouts are {@link EngineError}s.
 */
export function instream(
  socketPath: string,
  body: AsyncIterable<Uint8Array>,
  timeoutMs: number,
): Promise<InstreamReply> {
  return withSocket(socketPath, timeoutMs, "INSTREAM", async (socket, reply) => {
    let answered = false;
    reply.then(
      () => {
        answered = true;
      },
      () => {},
    );
    const write = (data: Uint8Array) =>
      new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
    let bytes = 0;
    const iterator = body[Symbol.asyncIterator]();
    try {
      await write(Buffer.from("zINSTREAM\0"));
      while (!answered) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await iterator.next();
        } catch (cause) {
          throw new ObjectReadError(`reading the object failed after ${bytes} bytes`, { cause });
        }
        if (next.done) break;
        const chunk = next.value;
        for (let at = 0; at < chunk.length && !answered; at += MAX_CHUNK) {
          const part = chunk.subarray(at, at + MAX_CHUNK);
          const header = Buffer.alloc(4);
          header.writeUInt32BE(part.length);
          await write(Buffer.concat([header, part]));
          bytes += part.length;
        }
      }
      if (!answered) await write(Buffer.alloc(4));
    } catch (error) {
      if (error instanceof ObjectReadError) throw error;
      // clamd closes the socket after an early answer (size limit); a write may fail just before
      // the answer is read. Take the answer if one comes; otherwise the engine failed.
      const early = await Promise.race([reply, delay(1000)]).catch(() => undefined);
      if (typeof early === "string" && early !== "") return { reply: early, bytes };
      throw new EngineError(
        `clamd INSTREAM failed after ${bytes} bytes: ${(error as Error).message}`,
        undefined,
        {
          cause: error,
        },
      );
    } finally {
      if (answered) await iterator.return?.();
    }
    return { reply: await reply, bytes };
  });
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
