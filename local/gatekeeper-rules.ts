/**
 * What local mode's gatekeeper refuses, as pure functions of a request's parts. The store's gateway
 * (Ceph 16.2) does not make some checks AWS makes (see local/README.md, "The gatekeeper"); these
 * rules make up for them in front of it. No I/O here: the proxy in gatekeeper.ts feeds them.
 */
import { isScannerTagKey, type TagSchema } from "../core/tags";

/** Why a request was refused; also the name of its counter in the runner's status. */
export const Refusals = {
  verdictTag: "verdict-tag",
  tagWrite: "tag-write",
  serverSideCopy: "server-side-copy",
  select: "s3-select",
  serviceApi: "service-api",
  notificationConfig: "notification-config",
  malformed: "malformed",
} as const;
export type Refusal = (typeof Refusals)[keyof typeof Refusals];

/** The parts of a request the rules look at. Header names are lower case (as Node gives them). */
export interface RequestParts {
  method: string;
  /** The raw request target: path and query, as sent. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Fields of a browser-style POST Object form (those before its `file` part), names lower-cased. */
  formFields?: ReadonlyMap<string, string>;
}

export interface RuleContext {
  /** Access key ids of the pipeline's own users (scanner, bucket owner), which pass unchecked. */
  pipelineKeys: ReadonlySet<string>;
  tags: TagSchema;
}

export interface Decision {
  refusal: Refusal;
  /** One sentence for the log and the error answered. */
  detail: string;
  /** The access keys the request was signed with (empty: anonymous). */
  accessKeys: string[];
}

function header(parts: RequestParts, name: string): string | undefined {
  const v = parts.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** The request's query parameters with their names lower-cased (S3's sub-resources and signatures). */
export function queryOf(url: string): Map<string, string> {
  const q = new Map<string, string>();
  const at = url.indexOf("?");
  if (at < 0) return q;
  for (const pair of url.slice(at + 1).split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq)) ?? pair;
    const value = eq < 0 ? "" : (safeDecode(pair.slice(eq + 1)) ?? pair.slice(eq + 1));
    q.set(name.toLowerCase(), value);
  }
  return q;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** The path without its query, split into bucket and key (path-style addressing). */
export function targetOf(url: string): { bucket: string; key: string } {
  const path = url.split("?")[0] ?? "";
  const trimmed = path.replace(/^\/+/, "");
  const slash = trimmed.indexOf("/");
  return slash < 0
    ? { bucket: safeDecode(trimmed) ?? trimmed, key: "" }
    : { bucket: safeDecode(trimmed.slice(0, slash)) ?? "", key: trimmed.slice(slash + 1) };
}

/**
 * Every access key id the request names: SigV4 and SigV2 `Authorization` headers, presigned URLs
 * (`X-Amz-Credential`, `AWSAccessKeyId`) and a POST form's `x-amz-credential`/`AWSAccessKeyId`
 * fields. Empty for an anonymous request.
 */
export function accessKeysOf(parts: RequestParts): string[] {
  const keys = new Set<string>();
  const auth = header(parts, "authorization") ?? "";
  const v4 = /Credential=([^/,\s]+)\//i.exec(auth);
  if (v4?.[1]) keys.add(v4[1]);
  const v2 = /^\s*AWS\s+([^:\s]+):/i.exec(auth);
  if (v2?.[1]) keys.add(v2[1]);
  const q = queryOf(parts.url);
  const credentialKey = (v: string | undefined) => v?.split("/")[0];
  for (const k of [credentialKey(q.get("x-amz-credential")), q.get("awsaccesskeyid")]) if (k) keys.add(k);
  const f = parts.formFields;
  for (const k of [credentialKey(f?.get("x-amz-credential")), f?.get("awsaccesskeyid")]) if (k) keys.add(k);
  return [...keys];
}

/** The keys of a URL-encoded tag set (`x-amz-tagging`: `k1=v1&k2=v2`); `undefined` if undecodable. */
export function urlEncodedTagKeys(value: string): string[] | undefined {
  const keys: string[] = [];
  for (const pair of value.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (key === undefined) return undefined;
    keys.push(key);
  }
  return keys;
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXmlText(text: string): string | undefined {
  let out = "";
  // CDATA sections are taken as they are; the rest has its entities decoded.
  for (const [i, piece] of text.split(/<!\[CDATA\[|\]\]>/).entries()) {
    if (i % 2 === 1) {
      out += piece;
      continue;
    }
    if (/<|&(?![a-z]+;|#\d+;|#x[0-9a-f]+;)/i.test(piece)) return undefined;
    out += piece.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (_, e: string) => {
      if (e[0] !== "#") return XML_ENTITIES[e.toLowerCase()] ?? "\u0000";
      const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return String.fromCodePoint(Math.min(code, 0x10ffff));
    });
  }
  return out;
}

/**
 * The tag keys of an S3 `<Tagging>` XML document (a POST form's `tagging` field, a PutObjectTagging
 * body); `undefined` when the document uses XML this reader does not understand (a DOCTYPE, an
 * entity it cannot decode), which the gatekeeper refuses rather than guess at.
 */
export function xmlTagKeys(xml: string): string[] | undefined {
  if (/<!(?!\[CDATA\[)/.test(xml)) return undefined;
  const keys: string[] = [];
  for (const m of xml.matchAll(/<\s*Key\s*>([\s\S]*?)<\s*\/\s*Key\s*>/gi)) {
    const key = decodeXmlText(m[1] ?? "");
    if (key === undefined) return undefined;
    keys.push(key);
  }
  return keys;
}

/**
 * Whether the gatekeeper refuses the request, and why; `undefined` lets it through to the gateway.
 * S3 Select is refused to everyone (one request crashes the gateway). The rest applies to everyone
 * but the pipeline's own users: a request counts as theirs only when every key it names is one.
 */
export function decide(parts: RequestParts, ctx: RuleContext): Decision | undefined {
  const accessKeys = accessKeysOf(parts);
  const refuse = (refusal: Refusal, detail: string): Decision => ({ refusal, detail, accessKeys });
  const q = queryOf(parts.url);
  const method = parts.method.toUpperCase();
  if (q.has("select") || q.has("select-type"))
    return refuse(Refusals.select, "S3 Select is not served in local mode (it crashes the store's gateway)");
  const pipeline = accessKeys.length > 0 && accessKeys.every((k) => ctx.pipelineKeys.has(k));
  if (pipeline) return undefined;

  const { bucket, key } = targetOf(parts.url);
  if (!bucket && !((method === "GET" || method === "HEAD") && !q.has("action")))
    return refuse(Refusals.serviceApi, "the store's topic and account APIs are the pipeline's alone");
  if (q.has("action"))
    return refuse(Refusals.serviceApi, "the store's topic and account APIs are the pipeline's alone");
  if (q.has("notification"))
    return refuse(Refusals.notificationConfig, "bucket notifications are the pipeline's alone");
  if (header(parts, "x-amz-copy-source") !== undefined || q.has("x-amz-copy-source"))
    return refuse(
      Refusals.serverSideCopy,
      "server-side copies (CopyObject, UploadPartCopy) are refused: they would carry tags no scan wrote",
    );
  if (q.has("tagging") && key && method !== "GET" && method !== "HEAD")
    return refuse(Refusals.tagWrite, "object tags are written by the scanner alone in local mode");

  const tagSources: Array<[string, string[] | undefined]> = [];
  for (const v of [header(parts, "x-amz-tagging"), q.get("x-amz-tagging")])
    if (v !== undefined) tagSources.push(["x-amz-tagging", urlEncodedTagKeys(v)]);
  const formTagging = parts.formFields?.get("tagging");
  if (formTagging !== undefined) tagSources.push(["the form's tagging field", xmlTagKeys(formTagging)]);
  for (const [where, keys] of tagSources) {
    if (keys === undefined) return refuse(Refusals.malformed, `${where} could not be read`);
    const forged = keys.filter((k) => isScannerTagKey(k, ctx.tags));
    if (forged.length > 0)
      return refuse(
        Refusals.verdictTag,
        `${where} sets ${forged.join(", ")}: verdict keys (in any letter case) are the scanner's alone`,
      );
  }
  return undefined;
}

/** True for a browser-style POST Object: a `multipart/form-data` POST to a bucket. */
export function isFormPost(parts: Pick<RequestParts, "method" | "url" | "headers">): boolean {
  const type = header(parts as RequestParts, "content-type") ?? "";
  return parts.method.toUpperCase() === "POST" && /^\s*multipart\/form-data/i.test(type);
}

/** The boundary of a `multipart/form-data` content type, or `undefined`. */
export function formBoundary(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

export type FormPreamble =
  | { state: "more" }
  | { state: "done"; fields: Map<string, string> }
  | { state: "bad"; reason: string };

/**
 * Reads the fields of a `multipart/form-data` body up to its `file` part (S3 requires the file to be
 * the last field, so every field that matters comes before it). `more` until `bytes` holds the start
 * of the file part (or the end of the form); field names are lower-cased, as S3 matches them.
 */
export function parseFormPreamble(bytes: Buffer, boundary: string): FormPreamble {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string>();
  let at = bytes.indexOf(delimiter);
  if (at < 0)
    return bytes.length > delimiter.length + 2 ? { state: "bad", reason: "no boundary" } : { state: "more" };
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (bytes.length < afterDelimiter + 2) return { state: "more" };
    if (bytes.subarray(afterDelimiter, afterDelimiter + 2).toString() === "--")
      return { state: "done", fields };
    const headersEnd = bytes.indexOf("\r\n\r\n", afterDelimiter);
    if (headersEnd < 0) return { state: "more" };
    const partHeaders = bytes.subarray(afterDelimiter, headersEnd).toString("latin1");
    const disposition = /content-disposition:[^\r\n]*?\bname="([^"]*)"/i.exec(partHeaders);
    if (!disposition) return { state: "bad", reason: "a form part has no name" };
    const name = (disposition[1] ?? "").toLowerCase();
    if (name === "file") return { state: "done", fields };
    const next = bytes.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headersEnd + 4);
    if (next < 0) return { state: "more" };
    const value = bytes.subarray(headersEnd + 4, next).toString("utf8");
    // A field sent twice is ambiguous: which one would the gateway read?
    if (fields.has(name)) return { state: "bad", reason: `the form field ${name} appears twice` };
    fields.set(name, value);
    at = next + 2;
  }
}
