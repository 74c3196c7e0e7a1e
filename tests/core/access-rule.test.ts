import assert from "node:assert/strict";
import { lintResourcePolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import {
  type AccessRuleArgs,
  AccessRuleSids,
  accessRuleStatements,
  copySourcePatterns,
  existingTagKey,
  mergePolicy,
  type PolicyDocument,
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
import {
  ACCOUNT,
  type ApiCall,
  accountRoot,
  anonymous,
  authorize,
  type Caller,
  iamUser,
  roleArnOf,
  roleSession,
  type S3Object,
  s3,
  servicePrincipal,
} from "../support/policy-eval";

const BUCKET = "uploads";
const SCANNER = roleSession("uploads-scanner", "1a2b3c");
const BREAK_GLASS = roleSession("malware-release", "operator-jane");
const REPLICATION = roleSession("uploads-replication", "s3-replication");
const UPLOADER = roleSession("web-app");
const USER = iamUser("alice");
const DISTRIBUTION = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2EXAMPLE`;
const CDN = servicePrincipal("cloudfront.amazonaws.com", DISTRIBUTION);

/** A statement users keep beside the rule: CloudFront (origin access control) serves the bucket. */
const CDN_READ: PolicyStatement = {
  Sid: "CloudFrontReads",
  Effect: "Allow",
  Principal: { Service: "cloudfront.amazonaws.com" },
  Action: "s3:GetObject",
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringEquals: { "AWS:SourceArn": DISTRIBUTION } },
};
/** The worst case for anonymous callers: a bucket whose owner made every object public. */
const PUBLIC_READ: PolicyStatement = {
  Sid: "PublicReads",
  Effect: "Allow",
  Principal: "*",
  Action: "s3:GetObject",
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};

function rule(overrides: Partial<AccessRuleArgs> = {}): PolicyStatement[] {
  return accessRuleStatements({
    bucket: BUCKET,
    tags: DEFAULT_TAG_SCHEMA,
    scanner: scannerRole(roleArnOf("uploads-scanner")),
    ...overrides,
  });
}

function policy(overrides: Partial<AccessRuleArgs> = {}): PolicyDocument {
  return mergePolicy(rule(overrides), [CDN_READ, PUBLIC_READ]);
}

const object = (key: string, tags: Record<string, string> = {}): S3Object => ({ bucket: BUCKET, key, tags });
const clean = object("clean.jpg", { Infected: "false", ScanResult: "clean", ScanStamp: "s" });
const infected = object("eicar.com", { Infected: "true", ScanResult: "Eicar-Signature" });
const unscanned = object("new.jpg");
const userTagged = object("tagged.jpg", { project: "x" });
const unknownVerdict = object("odd.jpg", { Infected: "maybe" });
const target = object("upload.bin");
/** The uploader's own bucket (no policy; the uploader's identity policy lets it read it), with a forged verdict. */
const planted: S3Object = { bucket: "attacker-own", key: "eicar.com", tags: { Infected: "false" } };

type Row = [title: string, caller: Caller, call: ApiCall, allowed: boolean];

async function decide(doc: PolicyDocument, caller: Caller, call: ApiCall, insecure = false) {
  return authorize({ [BUCKET]: doc }, caller, call, { insecure });
}

function table(rows: Row[], doc: () => PolicyDocument): void {
  for (const [title, caller, call, allowed] of rows) {
    it(`${title} (${call.name} by ${caller.label})`, async () => {
      const d = await decide(doc(), caller, call);
      assert.equal(
        d.allowed,
        allowed,
        `checks: ${d.results.map((r) => `${r.action} ${r.result}`).join(", ")}; denied by ${d.deniedBy.join(", ") || "nothing"}`,
      );
    });
  }
}

const everyone: Caller[] = [UPLOADER, USER, accountRoot, anonymous, CDN];
const signed: Caller[] = [UPLOADER, USER, accountRoot];

describe("core/access-rule: the generated policy", () => {
  const variants: Array<[string, Partial<AccessRuleArgs>]> = [
    ["the default rule", {}],
    ["fail-closed off", { failClosed: false }],
    [
      "every option set",
      {
        breakGlass: [roleArnOf("malware-release")],
        replicationRoles: [roleArnOf("uploads-replication")],
        copySources: [BUCKET, "other-uploads"],
      },
    ],
    ["the store variant", { scanner: scannerUser("scanner") }],
    ["pre-existing objects readable until scanned", { preExistingReadable: true }],
  ];
  for (const [name, overrides] of variants) {
    it(`is a valid resource policy for IAM, without lint warnings (${name})`, () => {
      assert.deepEqual(validateResourcePolicy(policy(overrides)), []);
      assert.deepEqual(lintResourcePolicy(policy(overrides)), [], "and raises no lint warning");
    });
  }

  it("gives every statement a unique Sid", () => {
    const sids = policy({ breakGlass: ["x"], replicationRoles: ["y"], copySources: ["z"] }).Statement.map(
      (s) => s.Sid,
    );
    assert.equal(new Set(sids).size, sids.length);
  });
});

describe("core/access-rule: reads under AWS's authorization rules", () => {
  const rows: Row[] = [
    ...everyone.map(
      (c): Row => ["denies reads of objects tagged Infected=true", c, s3.getObject(infected), false],
    ),
    ...everyone.map(
      (c): Row => ["denies HEAD of objects tagged Infected=true", c, s3.headObject(infected), false],
    ),
    ...signed.map(
      (c): Row => ["denies reads of an infected version by its id", c, s3.getObjectVersion(infected), false],
    ),
    ...everyone.map(
      (c): Row => [
        "denies reads of objects not yet scanned (fail-closed)",
        c,
        s3.getObject(unscanned),
        false,
      ],
    ),
    ...signed.map(
      (c): Row => [
        "denies reads of unscanned objects that carry user tags",
        c,
        s3.getObject(userTagged),
        false,
      ],
    ),
    ...signed.map(
      (c): Row => ["denies reads of unscanned versions by id", c, s3.getObjectVersion(unscanned), false],
    ),
    ...signed.map(
      (c): Row => [
        "denies reads of objects with an unknown verdict value",
        c,
        s3.getObject(unknownVerdict),
        false,
      ],
    ),
    ...everyone.map((c): Row => ["allows reads of objects scanned clean", c, s3.getObject(clean), true]),
    ...signed.map((c): Row => ["allows reads of clean versions by id", c, s3.getObjectVersion(clean), true]),
    ...signed.flatMap((c): Row[] => [
      [
        "denies torrents of every object, since S3 gives torrents no tag condition",
        c,
        s3.getObjectTorrent(clean),
        false,
      ],
      ["denies torrents of infected objects", c, s3.getObjectTorrent(infected), false],
      ["denies torrents of versions", c, s3.getObjectVersionTorrent(clean), false],
    ]),
    [
      "denies replication reads when no replication role is named",
      REPLICATION,
      s3.replicationRead(clean),
      false,
    ],
    ["denies replication reads of infected objects", REPLICATION, s3.replicationRead(infected), false],
    ["denies replication reads of unscanned objects", accountRoot, s3.replicationRead(unscanned), false],
    ["denies torrents of unscanned objects", USER, s3.getObjectTorrent(unscanned), false],
    ["denies HEAD of objects not yet scanned", UPLOADER, s3.headObject(unscanned), false],
    ["allows HEAD of objects scanned clean", UPLOADER, s3.headObject(clean), true],
    [
      "denies replicating objects in, which would bring their tags",
      UPLOADER,
      s3.replicateObject(target),
      false,
    ],
    ["denies replicating tags in", REPLICATION, s3.replicateTags(clean), false],
    ["lets the scanner re-read infected objects for rescans", SCANNER, s3.getObject(infected), true],
    ["lets the scanner read objects not yet scanned", SCANNER, s3.getObjectVersion(unscanned), true],
    ["does not exempt an unnamed break-glass role", BREAK_GLASS, s3.getObject(infected), false],
  ];
  table(rows, () => policy());

  it("denies requests without TLS, even reads of clean objects", async () => {
    const d = await decide(policy(), USER, s3.getObject(clean), true);
    assert.equal(d.allowed, false);
    assert.ok(d.deniedBy.includes(AccessRuleSids.tlsOnly));
  });

  describe("with fail-closed off", () => {
    table(
      [
        ["allows reads of unscanned objects", USER, s3.getObject(unscanned), true],
        ["still denies reads of infected objects", USER, s3.getObject(infected), false],
        ["still denies reads of infected versions", UPLOADER, s3.getObjectVersion(infected), false],
        ["still denies torrents of infected objects", USER, s3.getObjectTorrent(infected), false],
        ["still denies stripping an infected verdict", UPLOADER, s3.deleteObjectTagging(infected), false],
        [
          "still denies replacing an infected verdict's tag set",
          UPLOADER,
          s3.putObjectTagging(infected, { a: "b" }),
          false,
        ],
      ],
      () => policy({ failClosed: false }),
    );
  });

  describe("with pre-existing objects readable until scanned (an adopted bucket)", () => {
    const pending = object("old.jpg", { Infected: "pending", owner: "team-a" });
    const pendingOnly = object("old-2.jpg", { Infected: "pending" });
    const adopted = () => policy({ preExistingReadable: true });
    table(
      [
        ...everyone.map(
          (c): Row => [
            "allows reads of objects the marker tagged Infected=pending",
            c,
            s3.getObject(pending),
            true,
          ],
        ),
        ...signed.map(
          (c): Row => ["allows reads of pending versions by id", c, s3.getObjectVersion(pendingOnly), true],
        ),
        ...everyone.map(
          (c): Row => [
            "still denies reads of new uploads not yet scanned",
            c,
            s3.getObject(unscanned),
            false,
          ],
        ),
        ...signed.map(
          (c): Row => [
            "still denies reads of new uploads that carry only user tags",
            c,
            s3.getObject(userTagged),
            false,
          ],
        ),
        ...everyone.map(
          (c): Row => ["still denies reads of infected objects", c, s3.getObject(infected), false],
        ),
        ...signed.map(
          (c): Row => [
            "still denies reads of an unknown verdict value",
            c,
            s3.getObject(unknownVerdict),
            false,
          ],
        ),
        ...everyone.map((c): Row => ["still allows reads of clean objects", c, s3.getObject(clean), true]),
        ...signed.flatMap((c): Row[] => [
          ["denies uploads tagged Infected=pending", c, s3.putObject(target, { Infected: "pending" }), false],
          [
            "denies browser POSTs whose tagging field says Infected=pending",
            c,
            s3.postObject(target, { Infected: "pending" }),
            false,
          ],
          [
            "denies multipart uploads tagged Infected=pending",
            c,
            s3.createMultipartUpload(target, { Infected: "pending" }),
            false,
          ],
          [
            "denies tagging an unscanned object Infected=pending",
            c,
            s3.putObjectTagging(unscanned, { Infected: "pending" }),
            false,
          ],
          [
            "denies tagging an unscanned version Infected=pending",
            c,
            s3.putObjectVersionTagging(unscanned, { Infected: "pending", project: "x" }),
            false,
          ],
          [
            "denies the pending mark in another letter case",
            c,
            s3.putObjectTagging(unscanned, { infected: "pending" }),
            false,
          ],
        ]),
        [
          "denies tagging an infected object Infected=pending",
          UPLOADER,
          s3.putObjectTagging(infected, { Infected: "pending" }),
          false,
        ],
        [
          "lets the scanner write the pending mark",
          SCANNER,
          s3.putObjectVersionTagging(unscanned, { Infected: "pending" }),
          true,
        ],
      ],
      adopted,
    );

    it("exempts the pending mark only from the not-clean deny, never from the untagged or infected deny", () => {
      const statements = rule({ preExistingReadable: true });
      const find = (sid: string) => statements.find((s) => s.Sid === sid);
      const verdict = existingTagKey("Infected");
      const condition = find(AccessRuleSids.denyUnscanned)?.Condition;
      assert.equal(condition?.StringNotEquals?.[verdict], "false");
      assert.equal(condition?.StringNotLike?.[verdict], "pending");
      assert.deepEqual(
        find(AccessRuleSids.denyUntagged),
        rule().find((s) => s.Sid === AccessRuleSids.denyUntagged),
      );
      assert.deepEqual(
        find(AccessRuleSids.denyInfected),
        rule().find((s) => s.Sid === AccessRuleSids.denyInfected),
      );
    });

    it("keeps the default rule's single clean value when pre-existing objects are not readable", () => {
      const unscannedDeny = rule().find((s) => s.Sid === AccessRuleSids.denyUnscanned);
      assert.equal(unscannedDeny?.Condition?.StringNotEquals?.[existingTagKey("Infected")], "false");
    });

    it("denies reads of pending objects once the option is off (strict mode)", async () => {
      assert.equal((await decide(policy(), USER, s3.getObject(pending))).allowed, false);
    });
  });

  describe("with a named replication role and a named break-glass role", () => {
    const named = {
      replicationRoles: [roleArnOf("uploads-replication")],
      breakGlass: [roleArnOf("malware-release")],
    };
    table(
      [
        [
          "lets the named replication role read every version for replication",
          REPLICATION,
          s3.replicationRead(unscanned),
          true,
        ],
        ["denies replication reads to everyone else", UPLOADER, s3.replicationRead(clean), false],
        [
          "lets the named replication role write replicas here",
          REPLICATION,
          s3.replicateObject(target),
          true,
        ],
        ["denies replication writes to everyone else", USER, s3.replicateTags(clean), false],
        ["denies replication reads to the account root", accountRoot, s3.replicationRead(clean), false],
        ["lets break-glass read an object the engine flagged", BREAK_GLASS, s3.getObject(infected), true],
        [
          "lets break-glass release a false positive by tagging it clean",
          BREAK_GLASS,
          s3.putObjectVersionTagging(infected, { Infected: "false" }),
          true,
        ],
        [
          "does not let the replication role read infected objects by GetObject",
          REPLICATION,
          s3.getObject(infected),
          false,
        ],
        ["does not let break-glass copy into the bucket", BREAK_GLASS, s3.copyObject(clean, target), false],
      ],
      () => policy(named),
    );
  });
});

describe("core/access-rule: writes under AWS's authorization rules", () => {
  const forged: Array<[string, Record<string, string>]> = [
    ["the verdict tag", { Infected: "false" }],
    ["the scanner's result tag", { ScanResult: "clean" }],
    ["a scan stamp", { ScanStamp: "20260101/abc" }],
    ["the verdict key in lower case", { infected: "false" }],
    ["the verdict key in upper case", { INFECTED: "false" }],
    ["the stamp key in another case", { scanstamp: "x" }],
    ["the verdict beside the user's own tags", { project: "x", Infected: "false" }],
  ];
  const rows: Row[] = [
    ...signed.flatMap((c): Row[] => [
      ["allows uploads without tags", c, s3.putObject(target), true],
      [
        "allows uploads with the user's own tags",
        c,
        s3.putObject(target, { project: "x", owner: "alice" }),
        true,
      ],
      ["allows POST uploads with the user's own tags", c, s3.postObject(target, { project: "x" }), true],
      [
        "allows multipart uploads with the user's own tags",
        c,
        s3.createMultipartUpload(target, { project: "x" }),
        true,
      ],
      ["allows uploading parts", c, s3.uploadPart(target), true],
      [
        "allows overwriting an infected object (the new version is unscanned)",
        c,
        s3.putObject(infected),
        true,
      ],
    ]),
    ...forged.flatMap(([what, tags]): Row[] => [
      [`denies uploads that set ${what}`, UPLOADER, s3.putObject(target, tags), false],
      [`denies POST uploads that set ${what}`, USER, s3.postObject(target, tags), false],
      [`denies multipart uploads that set ${what}`, UPLOADER, s3.createMultipartUpload(target, tags), false],
      [
        `denies tag writes that set ${what} on an unscanned object`,
        UPLOADER,
        s3.putObjectTagging(unscanned, tags),
        false,
      ],
      [
        `denies version tag writes that set ${what} on a clean object`,
        accountRoot,
        s3.putObjectVersionTagging(clean, tags),
        false,
      ],
    ]),
    [
      "denies uploads that set the verdict tag, even by the account root",
      accountRoot,
      s3.putObject(target, { Infected: "false" }),
      false,
    ],
    [
      "allows tag edits with the user's own keys on an unscanned object",
      UPLOADER,
      s3.putObjectTagging(userTagged, { project: "y" }),
      true,
    ],
    [
      "allows a tag edit on a clean object, which drops its clean verdict",
      USER,
      s3.putObjectTagging(clean, { project: "y" }),
      true,
    ],
    [
      "allows removing the tags of a clean object, which drops its clean verdict",
      USER,
      s3.deleteObjectTagging(clean),
      true,
    ],
    [
      "denies replacing the tag set of an infected object",
      UPLOADER,
      s3.putObjectTagging(infected, { project: "y" }),
      false,
    ],
    [
      "denies replacing the tag set of an infected version",
      UPLOADER,
      s3.putObjectVersionTagging(infected, { project: "y" }),
      false,
    ],
    ["denies stripping an infected verdict", USER, s3.deleteObjectTagging(infected), false],
    [
      "denies stripping an infected version's verdict",
      accountRoot,
      s3.deleteObjectVersionTagging(infected),
      false,
    ],
    [
      "lets the scanner write the verdict of an unscanned version",
      SCANNER,
      s3.putObjectVersionTagging(unscanned, { Infected: "false", ScanStamp: "s" }),
      true,
    ],
    [
      "lets the scanner rewrite an infected verdict after a rescan",
      SCANNER,
      s3.putObjectVersionTagging(infected, { Infected: "false" }),
      true,
    ],
    [
      "denies a server-side copy from the uploader's own bucket, which would carry a forged verdict",
      UPLOADER,
      s3.copyObject(planted, target),
      false,
    ],
    [
      "denies a copy of a clean object within the bucket by default",
      USER,
      s3.copyObject(clean, target),
      false,
    ],
    [
      "denies a copy that replaces the tags by default",
      UPLOADER,
      s3.copyObject(planted, target, { project: "x" }),
      false,
    ],
    [
      "denies UploadPartCopy from the uploader's own bucket",
      UPLOADER,
      s3.uploadPartCopy(planted, target),
      false,
    ],
    [
      "denies UploadPartCopy of an unscanned object's bytes",
      USER,
      s3.uploadPartCopy(unscanned, target),
      false,
    ],
    ["denies copies by the account root", accountRoot, s3.copyObject(planted, target), false],
    ["lets the scanner copy", SCANNER, s3.copyObject(clean, target), true],
    [
      "leaves object ACLs to the bucket's ownership setting (a Deny outranks any ACL grant)",
      USER,
      s3.putObjectAcl(clean),
      true,
    ],
  ];
  table(rows, () => policy());

  describe("with server-side copies allowed from named buckets", () => {
    const planted2: S3Object = { ...planted, bucket: "other-uploads" };
    table(
      [
        ["allows a copy of a clean object within the bucket", USER, s3.copyObject(clean, target), true],
        [
          "allows UploadPartCopy of a clean object within the bucket",
          UPLOADER,
          s3.uploadPartCopy(clean, target),
          true,
        ],
        [
          "denies a copy of an infected object (its read is denied)",
          USER,
          s3.copyObject(infected, target),
          false,
        ],
        [
          "denies a copy of an unscanned object (fail-closed)",
          UPLOADER,
          s3.copyObject(unscanned, target),
          false,
        ],
        ["still denies a copy from an unnamed bucket", UPLOADER, s3.copyObject(planted, target), false],
        [
          "still denies UploadPartCopy from an unnamed bucket",
          UPLOADER,
          s3.uploadPartCopy(planted, target),
          false,
        ],
        [
          "still denies a copy that sets a verdict tag",
          USER,
          s3.copyObject(clean, target, { Infected: "false" }),
          false,
        ],
        [
          "allows a copy that replaces the tags with the user's own",
          USER,
          s3.copyObject(clean, target, { project: "x" }),
          true,
        ],
      ],
      () => policy({ copySources: [BUCKET] }),
    );

    it("lets a named bucket's policy decide its own reads: a copy goes through only if the source may be read", async () => {
      const sourcePolicy = mergePolicy(
        accessRuleStatements({
          bucket: "other-uploads",
          tags: DEFAULT_TAG_SCHEMA,
          scanner: scannerRole(roleArnOf("other-scanner")),
        }),
        [],
      );
      const doc = policy({ copySources: [BUCKET, "other-uploads"] });
      const forgedSource = await authorize(
        { [BUCKET]: doc, "other-uploads": sourcePolicy },
        UPLOADER,
        s3.copyObject({ ...planted2, tags: {} }, target),
      );
      assert.equal(forgedSource.allowed, false, "an unscanned source in a protected bucket cannot be read");
      const cleanSource = await authorize(
        { [BUCKET]: doc, "other-uploads": sourcePolicy },
        UPLOADER,
        s3.copyObject({ ...planted2, tags: { Infected: "false" } }, target),
      );
      assert.equal(cleanSource.allowed, true);
    });
  });

  describe("the store variant (scanner named by aws:username, no user tag edits)", () => {
    const store = () => policy({ scanner: scannerUser("scanner") });
    it("denies every tag write by anyone but the scanner, since the store does not check request tags on tag writes", () => {
      const blanket = store().Statement.find((s) => s.Sid === AccessRuleSids.denyTagWrites);
      assert.deepEqual(blanket?.Action, [...TAG_WRITE_ACTIONS]);
      assert.deepEqual(blanket?.Condition, { StringNotEquals: { "aws:username": ["scanner"] } });
    });
    it("writes no replication deny for the Ceph store, which rejects a policy that names replication actions", () => {
      assert.ok(!store().Statement.some((s) => s.Sid === AccessRuleSids.denyReplication));
      assert.ok(policy().Statement.some((s) => s.Sid === AccessRuleSids.denyReplication));
    });
    it("lets the store be named explicitly, whatever identifies the scanner", () => {
      const sids = rule({ store: "ceph-rgw" }).map((s) => s.Sid);
      assert.ok(
        sids.includes(AccessRuleSids.denyTagWrites) && !sids.includes(AccessRuleSids.denyReplication),
      );
      assert.ok(
        !rule({ store: "ceph-rgw", userTagEdits: true }).some((s) => s.Sid === AccessRuleSids.denyTagWrites),
      );
    });
    it("writes no blanket tag-write deny on AWS, where it would refuse every tagged upload", () => {
      assert.ok(!policy().Statement.some((s) => s.Sid === AccessRuleSids.denyTagWrites));
    });
    table(
      [["refuses a user tag edit", USER, s3.putObjectTagging(userTagged, { project: "y" }), false]],
      store,
    );
  });
});

describe("core/access-rule: accessRuleStatements", () => {
  it("uses the configured tag key and values", async () => {
    const tags: TagSchema = {
      ...DEFAULT_TAG_SCHEMA,
      key: "av-status",
      infectedValue: "bad",
      cleanValue: "ok",
    };
    const doc = policy({ tags });
    const read = async (t: Record<string, string>) =>
      (await decide(doc, USER, s3.getObject(object("a", t)))).allowed;
    assert.equal(await read({ "av-status": "ok" }), true);
    assert.equal(await read({ "av-status": "bad" }), false);
    assert.equal(await read({ Infected: "false" }), false);
    assert.equal((await decide(doc, USER, s3.putObject(target, { "AV-Status": "ok" }))).allowed, false);
  });

  it("exempts the scanner by the condition key its principal names", () => {
    const statements = rule({ scanner: scannerUser("scanner") });
    const infectedDeny = statements.find((s) => s.Sid === AccessRuleSids.denyInfected);
    assert.deepEqual(infectedDeny?.Condition?.StringNotEquals, { "aws:username": ["scanner"] });
  });

  it("exempts break-glass principals from the read and verdict-tag denies only", () => {
    const statements = rule({ breakGlass: ["arn:aws:iam::1:role/release"] });
    const exempting = statements
      .filter((s) => JSON.stringify(s.Condition ?? {}).includes("role/release"))
      .map((s) => s.Sid);
    assert.deepEqual(
      exempting.sort(),
      [
        AccessRuleSids.denyInfected,
        AccessRuleSids.denyInfectedTagChanges,
        AccessRuleSids.denyUnscanned,
        AccessRuleSids.denyUntagged,
        AccessRuleSids.denyVerdictKeys,
      ].sort(),
    );
  });

  it("guards both read actions by the verdict, so a versioned bucket does not leak infected versions", () => {
    for (const sid of [
      AccessRuleSids.denyInfected,
      AccessRuleSids.denyUnscanned,
      AccessRuleSids.denyUntagged,
    ])
      assert.deepEqual(rule().find((s) => s.Sid === sid)?.Action, [...READ_ACTIONS]);
  });

  it("keeps one StringLike upload deny per scanner key, for stores without s3:RequestObjectTagKeys", () => {
    for (const key of ["Infected", "ScanResult", "ScanStamp"]) {
      const s = rule().find((x) => x.Sid === taggedUploadSid(key));
      assert.deepEqual(s?.Condition, { StringLike: { [requestTagKey(key)]: "*" } });
    }
  });

  it("names both spellings of a copy source", () => {
    assert.deepEqual(copySourcePatterns("b"), ["b/*", "/b/*"]);
  });

  it("leaves out the TLS statement when asked", () => {
    assert.ok(!rule({ tlsOnly: false }).some((s) => s.Sid === AccessRuleSids.tlsOnly));
  });

  it("writes ARNs in the given partition", () => {
    assert.equal(rule({ partition: "aws-cn" })[0].Resource, `arn:aws-cn:s3:::${BUCKET}/*`);
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
