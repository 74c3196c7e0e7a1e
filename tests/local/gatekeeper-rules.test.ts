import assert from "node:assert/strict";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import {
  accessKeysOf,
  decide,
  formBoundary,
  parseFormPreamble,
  Refusals,
  type RequestParts,
  urlEncodedTagKeys,
  xmlTagKeys,
} from "../../local/gatekeeper-rules";

const PIPELINE = "PIPELINEKEY";
const USER = "USERKEY";
const ctx = { pipelineKeys: new Set([PIPELINE]), tags: DEFAULT_TAG_SCHEMA };
const v4 = (key: string) =>
  `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`;
const req = (
  method: string,
  url: string,
  headers: RequestParts["headers"] = {},
  form?: [string, string][],
) => ({
  method,
  url,
  headers: { authorization: v4(USER), ...headers },
  formFields: form ? new Map(form) : undefined,
});
const tagging = (...keys: string[]) =>
  `<Tagging><TagSet>${keys.map((k) => `<Tag><Key>${k}</Key><Value>false</Value></Tag>`).join("")}</TagSet></Tagging>`;

describe("local gatekeeper rules", () => {
  describe("who signed the request", () => {
    const cases: Array<[string, RequestParts, string[]]> = [
      [
        "a SigV4 Authorization header",
        { method: "GET", url: "/b/k", headers: { authorization: v4("AK1") } },
        ["AK1"],
      ],
      [
        "a SigV2 Authorization header",
        { method: "GET", url: "/b/k", headers: { authorization: "AWS AK2:sig" } },
        ["AK2"],
      ],
      [
        "a presigned SigV4 URL",
        {
          method: "GET",
          url: "/b/k?X-Amz-Credential=AK3%2F20260101%2Fus-east-1%2Fs3%2Faws4_request",
          headers: {},
        },
        ["AK3"],
      ],
      [
        "a presigned SigV2 URL",
        { method: "GET", url: "/b/k?AWSAccessKeyId=AK4&Signature=x", headers: {} },
        ["AK4"],
      ],
      [
        "a POST form's credential field",
        {
          method: "POST",
          url: "/b",
          headers: {},
          formFields: new Map([["x-amz-credential", "AK5/20260101/us-east-1/s3/aws4_request"]]),
        },
        ["AK5"],
      ],
      ["nothing (anonymous)", { method: "GET", url: "/b/k", headers: {} }, []],
    ];
    for (const [what, parts, keys] of cases)
      it(`reads the access key from ${what}`, () => assert.deepEqual(accessKeysOf(parts), keys));
  });

  describe("what it refuses to an ordinary user", () => {
    const refused: Array<[string, RequestParts, string]> = [
      [
        "an upload tagged Infected=false",
        req("PUT", "/b/k", { "x-amz-tagging": "Infected=false" }),
        Refusals.verdictTag,
      ],
      [
        "an upload tagged infected=false",
        req("PUT", "/b/k", { "x-amz-tagging": "a=1&infected=false" }),
        Refusals.verdictTag,
      ],
      [
        "an upload tagged INFECTED (encoded)",
        req("PUT", "/b/k", { "x-amz-tagging": "%49NFECTED=false" }),
        Refusals.verdictTag,
      ],
      [
        "an upload tagged scanstamp",
        req("PUT", "/b/k", { "x-amz-tagging": "scanstamp=x" }),
        Refusals.verdictTag,
      ],
      [
        "a presigned upload with the tagging in its query",
        req("PUT", "/b/k?x-amz-tagging=Infected%3Dfalse"),
        Refusals.verdictTag,
      ],
      [
        "a multipart upload tagged Infected=false",
        req("POST", "/b/k?uploads", { "x-amz-tagging": "Infected=false" }),
        Refusals.verdictTag,
      ],
      [
        "a POST form tagging Infected",
        req("POST", "/b", {}, [["tagging", tagging("Infected")]]),
        Refusals.verdictTag,
      ],
      [
        "a POST form tagging iNfEcTeD",
        req("POST", "/b", {}, [["tagging", tagging("iNfEcTeD")]]),
        Refusals.verdictTag,
      ],
      [
        "a POST form hiding the key in an entity",
        req("POST", "/b", {}, [["tagging", tagging("&#73;nfected")]]),
        Refusals.verdictTag,
      ],
      [
        "a POST form hiding the key in CDATA",
        req("POST", "/b", {}, [["tagging", tagging("<![CDATA[Infected]]>")]]),
        Refusals.verdictTag,
      ],
      [
        "a POST form with a DOCTYPE",
        req("POST", "/b", {}, [["tagging", `<!DOCTYPE x>${tagging("a")}`]]),
        Refusals.malformed,
      ],
      [
        "an undecodable x-amz-tagging",
        req("PUT", "/b/k", { "x-amz-tagging": "%E0%A4%A=1" }),
        Refusals.malformed,
      ],
      ["CopyObject", req("PUT", "/b/k", { "x-amz-copy-source": "/other/k" }), Refusals.serverSideCopy],
      [
        "UploadPartCopy",
        req("PUT", "/b/k?partNumber=1&uploadId=u", { "x-amz-copy-source": "/b/x" }),
        Refusals.serverSideCopy,
      ],
      ["PutObjectTagging", req("PUT", "/b/k?tagging"), Refusals.tagWrite],
      ["DeleteObjectTagging", req("DELETE", "/b/k?tagging&versionId=1"), Refusals.tagWrite],
      ["S3 Select", req("POST", "/b/k?select&select-type=2"), Refusals.select],
      ["CreateTopic", req("POST", "/"), Refusals.serviceApi],
      ["a topic action in the query", req("GET", "/?Action=ListTopics"), Refusals.serviceApi],
      ["a topic action aimed at a bucket", req("POST", "/b?Action=DeleteTopic"), Refusals.serviceApi],
      ["PutBucketNotificationConfiguration", req("PUT", "/b?notification"), Refusals.notificationConfig],
      [
        "a request naming a pipeline key and its own",
        req("PUT", "/b/k?AWSAccessKeyId=PIPELINEKEY", { "x-amz-copy-source": "/o/k" }),
        Refusals.serverSideCopy,
      ],
    ];
    for (const [what, parts, refusal] of refused)
      it(`refuses ${what}`, () => assert.equal(decide(parts, ctx)?.refusal, refusal));

    const allowed: Array<[string, RequestParts]> = [
      [
        "an upload with the user's own tags",
        req("PUT", "/b/k", { "x-amz-tagging": "project=x&Infectedness=low" }),
      ],
      ["a POST form with the user's own tags", req("POST", "/b", {}, [["tagging", tagging("project")]])],
      ["a GET", req("GET", "/b/k")],
      ["GetObjectTagging", req("GET", "/b/k?tagging")],
      ["ListBuckets", req("GET", "/")],
      ["a multipart part", req("PUT", "/b/k?partNumber=1&uploadId=u")],
    ];
    for (const [what, parts] of allowed)
      it(`lets through ${what}`, () => assert.equal(decide(parts, ctx), undefined));
  });

  it("lets the pipeline's own users manage topics and copy, and refuses S3 Select to them too", () => {
    const pipeline = (method: string, url: string, headers: RequestParts["headers"] = {}) => ({
      method,
      url,
      headers: { ...headers, authorization: v4(PIPELINE) },
    });
    assert.equal(decide(pipeline("POST", "/"), ctx), undefined);
    assert.equal(decide(pipeline("PUT", "/b/k", { "x-amz-copy-source": "/b/k" }), ctx), undefined);
    assert.equal(decide(pipeline("POST", "/b/k?select&select-type=2"), ctx)?.refusal, Refusals.select);
  });

  it("reads tag keys from URL-encoded and XML tag sets", () => {
    assert.deepEqual(urlEncodedTagKeys("a=1&b%20c=2&d"), ["a", "b c", "d"]);
    assert.deepEqual(xmlTagKeys(tagging("a", "b&amp;c")), ["a", "b&c"]);
    assert.equal(xmlTagKeys(tagging("&bogus")), undefined);
  });

  describe("reading a POST form up to its file", () => {
    const boundary = "----xyz";
    const part = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const form = `${part("key", "k")}${part("Tagging", "<Tagging/>")}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nBYTES\r\n--${boundary}--\r\n`;

    it("reads the fields before the file, with lower-cased names", () => {
      const p = parseFormPreamble(Buffer.from(form), boundary);
      assert.equal(p.state, "done");
      assert.deepEqual(p.state === "done" && [...p.fields], [
        ["key", "k"],
        ["tagging", "<Tagging/>"],
      ]);
    });

    it("asks for more until the file part begins, whatever the split", () => {
      const at = form.indexOf('name="file"');
      for (let cut = 0; cut < at; cut += 7)
        assert.equal(
          parseFormPreamble(Buffer.from(form.slice(0, cut)), boundary).state,
          "more",
          `cut at ${cut}`,
        );
    });

    it("refuses a field sent twice", () => {
      const p = parseFormPreamble(
        Buffer.from(`${part("tagging", "a")}${part("TAGGING", "b")}${form}`),
        boundary,
      );
      assert.equal(p.state, "bad");
    });

    it("finds the boundary of a content type", () => {
      assert.equal(formBoundary('multipart/form-data; boundary="a b"'), "a b");
      assert.equal(formBoundary("multipart/form-data; boundary=xyz; charset=utf-8"), "xyz");
    });
  });
});
