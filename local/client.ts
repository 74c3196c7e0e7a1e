/** S3 clients for a running local pipeline, from its `pipeline.json`; used by the demo and the tests. */
import { S3Client } from "@aws-sdk/client-s3";
import type { Credentials, PipelineInfo } from "./pipeline";

/**
 * A client signed as one of the pipeline's users. Path-style because the store has no wildcard DNS;
 * checksums only when required, because the store answers the SDK's streamed default with 411.
 */
export function pipelineClient(p: PipelineInfo, who: Credentials): S3Client {
  return new S3Client({
    endpoint: p.endpoint,
    region: p.region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** The HTTP status a request ended with: 200 on success, else the error's status (403, 404...). */
export async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    const out = (await request) as { Body?: { transformToByteArray?: () => Promise<unknown> } };
    // Drain the body, so the connection goes back to the pool.
    await out.Body?.transformToByteArray?.();
    return 200;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === undefined) throw e;
    return status;
  }
}
