import assert from "node:assert/strict";
import {
  AccessRuleSids,
  accessRuleStatements,
  existingTagKey,
  mergePolicy,
  type PolicyStatement,
  READ_ACTIONS,
  requestTagKey,
  SCANNER_OBJECT_ACTIONS,
  scannerGrantStatement,
  scannerRole,
  scannerUser,
  TAG_WRITE_ACTIONS,
  taggedUploadSid,
  tlsOnlyStatement,
} from "../../core/access-rule";
import { PolicyConflictError } from "../../core/errors";
import { DEFAULT_TAG_SCHEMA, type TagSchema } from "../../core/tags";
import { denyingStatements, type Semantics } from "../support/policy-eval";

const BUCKET = "uploads";
const OBJECT = `arn:aws:s3:::${BUCKET}/photo.jpg`;
const SCANNER_ARN = "arn:aws:iam::123456789012:role/scanner";
const READER_ARN = "arn:aws:iam::123456789012:role/reader";

function rule(overrides: { failClosed?: boolean; tags?: TagSchema } = {}): PolicyStatement[] {
  return accessRuleStatements({
    bucket: BUCKET,
    tags: DEFAULT_TAG_SCHEMA,
    scanner: scannerRole(SCANNER_ARN),
    ...overrides,
  });
}

/** A request over TLS by `who`, on an object carrying `tags`, with `requestTags` in an upload. */
function request(
  who: "reader" | "scanner",
  action: string,
  tags: Record<string, string> = {},
  extra: { requestTags?: Record<string, string>; insecure?: boolean } = {},
) {
  const context: Record<string, string> = {
    "aws:PrincipalArn": who === "scanner" ? SCANNER_ARN : READER_ARN,
    "aws:SecureTransport": extra.insecure ? "false" : "true",
  };
  for (const [k, v] of Object.entries(tags)) context[existingTagKey(k)] = v;
  for (const [k, v] of Object.entries(extra.requestTags ?? {})) context[requestTagKey(k)] = v;
  return { action, resource: OBJECT, context };
}

describe("core/access-rule: accessRuleStatements", () => {
  const cases: Array<{ it: string; req: ReturnType<typeof request>; denied: boolean; failClosed?: boolean }> =
    [
      {
        it: "denies reads of objects tagged Infected=true",
        req: request("reader", "s3:GetObject", { Infected: "true" }),
        denied: true,
      },
      {
        it: "denies reads of an infected version by its id",
        req: request("reader", "s3:GetObjectVersion", { Infected: "true" }),
        denied: true,
      },
      {
        it: "allows reads of objects scanned clean",
        req: request("reader", "s3:GetObject", { Infected: "false" }),
        denied: false,
      },
      {
        it: "denies reads of objects not yet scanned (fail-closed)",
        req: request("reader", "s3:GetObject"),
        denied: true,
      },
      {
        it: "denies reads of objects with an unknown verdict value",
        req: request("reader", "s3:GetObject", { Infected: "maybe" }),
        denied: true,
      },
      {
        it: "lets the scanner re-read infected objects for rescans",
        req: request("scanner", "s3:GetObject", { Infected: "true" }),
        denied: false,
      },
      {
        it: "lets the scanner read objects not yet scanned",
        req: request("scanner", "s3:GetObjectVersion"),
        denied: false,
      },
      {
        it: "denies verdict tag writes to everyone but the scanner",
        req: request("reader", "s3:PutObjectTagging", { Infected: "true" }),
        denied: true,
      },
      {
        it: "denies stripping the verdict of a version",
        req: request("reader", "s3:DeleteObjectVersionTagging", { Infected: "true" }),
        denied: true,
      },
      {
        it: "lets the scanner write verdict tags",
        req: request("scanner", "s3:PutObjectVersionTagging"),
        denied: false,
      },
      {
        it: "denies uploads that set the verdict tag",
        req: request("reader", "s3:PutObject", {}, { requestTags: { Infected: "false" } }),
        denied: true,
      },
      {
        it: "denies uploads that set the scanner's result tag",
        req: request("reader", "s3:PutObject", {}, { requestTags: { ScanResult: "clean" } }),
        denied: true,
      },
      {
        it: "denies uploads that forge a scan stamp",
        req: request("reader", "s3:PutObject", {}, { requestTags: { ScanStamp: "x" } }),
        denied: true,
      },
      {
        it: "allows uploads with the user's own tags",
        req: request("reader", "s3:PutObject", {}, { requestTags: { album: "2024" } }),
        denied: false,
      },
      { it: "allows uploads without tags", req: request("reader", "s3:PutObject"), denied: false },
      {
        it: "denies requests without TLS, even reads of clean objects",
        req: request("reader", "s3:GetObject", { Infected: "false" }, { insecure: true }),
        denied: true,
      },
      {
        it: "allows reads of unscanned objects when fail-closed is off",
        req: request("reader", "s3:GetObject"),
        denied: false,
        failClosed: false,
      },
      {
        it: "still denies infected reads when fail-closed is off",
        req: request("reader", "s3:GetObject", { Infected: "true" }),
        denied: true,
        failClosed: false,
      },
    ];
  for (const semantics of ["aws", "ceph"] as Semantics[]) {
    describe(`with ${semantics === "aws" ? "AWS's" : "the local store's"} condition semantics`, () => {
      for (const c of cases) {
        it(c.it, () => {
          const denials = denyingStatements(rule({ failClosed: c.failClosed }), c.req, semantics);
          assert.equal(denials.length > 0, c.denied, `denied by: ${denials.join(", ") || "nothing"}`);
        });
      }
    });
  }

  it("uses the configured tag key and values", () => {
    const tags: TagSchema = {
      ...DEFAULT_TAG_SCHEMA,
      key: "av-status",
      infectedValue: "bad",
      cleanValue: "ok",
    };
    const statements = rule({ tags });
    assert.equal(
      denyingStatements(statements, request("reader", "s3:GetObject", { "av-status": "ok" })).length,
      0,
    );
    assert.ok(
      denyingStatements(statements, request("reader", "s3:GetObject", { "av-status": "bad" })).length > 0,
    );
    assert.ok(
      denyingStatements(statements, request("reader", "s3:GetObject", { Infected: "false" })).length > 0,
    );
  });

  it("exempts the scanner by the condition key its principal names", () => {
    const statements = accessRuleStatements({
      bucket: BUCKET,
      tags: DEFAULT_TAG_SCHEMA,
      scanner: scannerUser("scanner"),
    });
    const infected = statements.find((s) => s.Sid === AccessRuleSids.denyInfected);
    assert.deepEqual(infected?.Condition?.StringNotEquals, { "aws:username": ["scanner"] });
  });

  it("guards both read actions, so a versioned bucket does not leak infected versions", () => {
    for (const s of rule().filter(
      (s) =>
        s.Sid !== AccessRuleSids.tlsOnly &&
        s.Action !== "s3:PutObject" &&
        s.Sid !== AccessRuleSids.denyTagWrites,
    ))
      assert.deepEqual(s.Action, [...READ_ACTIONS]);
  });

  it("gives every statement a unique Sid", () => {
    const sids = rule().map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length);
  });

  it("leaves out the TLS statement when asked", () => {
    const statements = accessRuleStatements({
      bucket: BUCKET,
      tags: DEFAULT_TAG_SCHEMA,
      scanner: scannerRole(SCANNER_ARN),
      tlsOnly: false,
    });
    assert.ok(!statements.some((s) => s.Sid === AccessRuleSids.tlsOnly));
  });

  it("writes ARNs in the given partition", () => {
    const statements = accessRuleStatements({
      bucket: BUCKET,
      tags: DEFAULT_TAG_SCHEMA,
      scanner: scannerRole(SCANNER_ARN),
      partition: "aws-cn",
    });
    assert.equal(statements[0].Resource, `arn:aws-cn:s3:::${BUCKET}/*`);
  });
});

describe("core/access-rule: helpers", () => {
  const table: Array<[string, () => unknown, unknown]> = [
    ["names existing-tag condition keys", () => existingTagKey("Infected"), "s3:ExistingObjectTag/Infected"],
    ["names request-tag condition keys", () => requestTagKey("Infected"), "s3:RequestObjectTag/Infected"],
    [
      "makes upload Sids from any tag key with Sid-safe characters",
      () => /^[A-Za-z0-9]+$/.test(taggedUploadSid("av:status/x")),
      true,
    ],
    [
      "makes distinct upload Sids for distinct keys",
      () => taggedUploadSid("a") !== taggedUploadSid("b"),
      true,
    ],
    ["identifies a role by aws:PrincipalArn", () => scannerRole("arn:r").conditionKey, "aws:PrincipalArn"],
    ["identifies a user by aws:username", () => scannerUser("u").conditionKey, "aws:username"],
    [
      "lets the TLS statement cover the bucket and its objects",
      () => tlsOnlyStatement("arn:aws:s3:::b").Resource,
      ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    ],
    [
      "lets only TAG_WRITE_ACTIONS change tags",
      () => TAG_WRITE_ACTIONS.every((a) => /Tagging$/.test(a)),
      true,
    ],
  ];
  for (const [title, run, expected] of table) it(title, () => assert.deepEqual(run(), expected));

  it("grants the scanner exactly what it does to objects, for stores where objects belong to uploaders", () => {
    const grant = scannerGrantStatement(BUCKET, ["arn:aws:iam:::user/scanner"]);
    assert.deepEqual(grant.Action, [...SCANNER_OBJECT_ACTIONS]);
    assert.deepEqual(grant.Principal, { AWS: ["arn:aws:iam:::user/scanner"] });
    assert.equal(grant.Resource, `arn:aws:s3:::${BUCKET}/*`);
  });
});

describe("core/access-rule: mergePolicy", () => {
  const callers: PolicyStatement = {
    Sid: "CdnRead",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::uploads/*",
  };
  const forms: Array<
    [string, PolicyStatement[] | { Version: "2012-10-17"; Statement: PolicyStatement[] } | undefined, number]
  > = [
    ["keeps the caller's statements given as a list", [callers], 1],
    ["keeps the caller's statements given as a document", { Version: "2012-10-17", Statement: [callers] }, 1],
    ["writes only the rule when the caller has no statements", undefined, 0],
  ];
  for (const [title, given, kept] of forms) {
    it(title, () => {
      const merged = mergePolicy(rule(), given);
      assert.equal(merged.Statement.length, rule().length + kept);
      if (kept) assert.deepEqual(merged.Statement[0], callers);
    });
  }

  it("rejects a caller's statement that reuses one of the rule's Sids", () => {
    assert.throws(
      () => mergePolicy(rule(), [{ ...callers, Sid: AccessRuleSids.denyInfected }]),
      (e: unknown) => e instanceof PolicyConflictError && e.sid === AccessRuleSids.denyInfected,
    );
  });

  it("accepts caller statements without Sids", () => {
    const { Sid: _ignored, ...anonymous } = callers;
    assert.equal(mergePolicy(rule(), [anonymous, anonymous]).Statement.length, rule().length + 2);
  });
});
