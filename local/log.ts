/** Local mode's logs: JSON lines appended to files under the state directory. */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";

export interface LineWriter {
  /** Appends one line. */
  line(text: string): void;
  close(): Promise<void>;
}

/** Appends lines to `file` (made, with its folder, if missing). */
export function lineWriter(file: string): LineWriter {
  mkdirSync(dirname(file), { recursive: true });
  const stream: WriteStream = createWriteStream(file, { flags: "a" });
  return {
    line: (text) => stream.write(`${text}\n`),
    close: () => new Promise((ok) => stream.end(() => ok())),
  };
}

export type Level = "info" | "warn" | "error";

export interface Logger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** A structured logger writing `{"time","level","message",...attributes}` lines to `file`. */
export function jsonLogger(file: string, echo?: (line: string) => void): Logger {
  const out = lineWriter(file);
  const write =
    (level: Level) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      const text = JSON.stringify({ time: new Date().toISOString(), level, message, ...attributes });
      out.line(text);
      echo?.(text);
    };
  return { info: write("info"), warn: write("warn"), error: write("error"), close: out.close };
}
