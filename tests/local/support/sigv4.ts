/**
 * Raw SigV4 signing for the requests the SDK does not make: a browser-style POST Object with a signed
 * POST policy, and a presigned GET URL. Written from AWS's "Signature Version 4" documentation, so the
 * attack tests send exactly what a browser or a shared link would.
 */
import { createHash, createHmac } from "node:crypto";
import type { Credentials } from "../../../local/pipeline";

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

function stamp(now: Date): { date: string; time: string } {
  const time = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return { date: time.slice(0, 8), time };
}

function signingKey(secret: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), "s3"), "aws4_request");
}

const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface PostObjectForm {
  endpoint: string;
  region: string;
  bucket: string;
  key: string;
  who: Credentials;
  /** Extra form fields (e.g. `tagging`), sent before the file and allowed by the policy. */
  fields?: Record<string, string>;
  body: string | Buffer;
}

/**
 * Sends a POST Object as a browser would: a `multipart/form-data` form whose policy lists every field,
 * signed with the user's secret. Resolves to the HTTP status and body.
 */
export async function postObject(f: PostObjectForm): Promise<{ status: number; text: string }> {
  const { date, time } = stamp(new Date());
  const credential = `${f.who.accessKeyId}/${date}/${f.region}/s3/aws4_request`;
  const fields: Record<string, string> = {
    key: f.key,
    ...f.fields,
    "x-amz-algorithm": "AWS4-HMAC-SHA256",
    "x-amz-credential": credential,
    "x-amz-date": time,
  };
  const policy = Buffer.from(
    JSON.stringify({
      expiration: new Date(Date.now() + 10 * 60_000).toISOString(),
      conditions: [{ bucket: f.bucket }, ...Object.entries(fields).map(([k, v]) => ({ [k]: v }))],
    }),
  ).toString("base64");
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("policy", policy);
  form.append(
    "x-amz-signature",
    hmac(signingKey(f.who.secretAccessKey, date, f.region), policy).toString("hex"),
  );
  form.append("file", new Blob([f.body]), "upload.bin");
  const res = await fetch(`${f.endpoint}/${f.bucket}`, { method: "POST", body: form });
  return { status: res.status, text: await res.text() };
}

/** A presigned GET URL for `bucket/key` (and `versionId`), valid for `expires` seconds. */
export function presignedGet(o: {
  endpoint: string;
  region: string;
  bucket: string;
  key: string;
  versionId?: string;
  who: Credentials;
  expires?: number;
}): string {
  const { date, time } = stamp(new Date());
  const url = new URL(o.endpoint);
  const path = `/${[o.bucket, ...o.key.split("/")].map(encode).join("/")}`;
  const query: Record<string, string> = {
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${o.who.accessKeyId}/${date}/${o.region}/s3/aws4_request`,
    "X-Amz-Date": time,
    "X-Amz-Expires": String(o.expires ?? 300),
    "X-Amz-SignedHeaders": "host",
    ...(o.versionId ? { versionId: o.versionId } : {}),
  };
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${encode(k)}=${encode(query[k] as string)}`)
    .join("&");
  const canonical = ["GET", path, canonicalQuery, `host:${url.host}`, "", "host", "UNSIGNED-PAYLOAD"].join(
    "\n",
  );
  const toSign = [
    "AWS4-HMAC-SHA256",
    time,
    `${date}/${o.region}/s3/aws4_request`,
    createHash("sha256").update(canonical).digest("hex"),
  ].join("\n");
  const signature = hmac(signingKey(o.who.secretAccessKey, date, o.region), toSign).toString("hex");
  return `${o.endpoint}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}
