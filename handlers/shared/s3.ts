/**
 * The S3 client the handlers use, and how its errors are told apart. Clients are created once per
 * execution environment and injected, so tests and local mode can point them anywhere.
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { CommonConfig } from "../../core/handler-config";

/**
 * An S3 client for the handlers' settings. Checksums are computed and validated only when the
 * operation requires them: streamed uploads of definitions then work on every S3 implementation
 * (Ceph RGW answers 411 to the SDK's default aws-chunked encoding).
 */
export function createS3Client(
  config: Pick<CommonConfig, "s3Endpoint" | "s3ForcePathStyle">,
  overrides: S3ClientConfig = {},
): S3Client {
  return new S3Client({
    ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
    forcePathStyle: config.s3ForcePathStyle,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...overrides,
  });
}

/** What an S3 failure means to the handlers. */
export const S3Failure = {
  /** The key or version is gone (deleted while we worked, or never there). */
  NotFound: "not-found",
  /** An `If-Match` did not hold: the object was overwritten. */
  PreconditionFailed: "precondition-failed",
  /** An `If-None-Match` held: what we have is current. */
  NotModified: "not-modified",
  /** Anything else, throttling included: the work fails and is retried by its caller. */
  Other: "other",
} as const;
export type S3Failure = (typeof S3Failure)[keyof typeof S3Failure];

const NOT_FOUND_NAMES = new Set(["NoSuchKey", "NoSuchVersion", "NotFound"]);

/** Classifies an error thrown by an S3 command. */
export function classifyS3Error(error: unknown): S3Failure {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? e?.Code ?? "";
  const status = e?.$metadata?.httpStatusCode;
  if (NOT_FOUND_NAMES.has(name) || status === 404) return S3Failure.NotFound;
  if (name === "PreconditionFailed" || status === 412) return S3Failure.PreconditionFailed;
  if (name === "NotModified" || status === 304) return S3Failure.NotModified;
  return S3Failure.Other;
}

/** S3 quotes ETags; the core and the tags use them bare. */
export function bareETag(eTag: string | undefined): string | undefined {
  return eTag === undefined ? undefined : eTag.replace(/^W\//, "").replace(/^"|"$/g, "");
}

/** The body of a GetObject answer as an async iterable of bytes, whatever the runtime handed back. */
export function bodyChunks(body: unknown): AsyncIterable<Uint8Array> {
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    return body as AsyncIterable<Uint8Array>;
  }
  throw new TypeError("GetObject returned a body that is not a Node stream");
}

/** Reads a (small) GetObject body into memory. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of bodyChunks(body)) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}
