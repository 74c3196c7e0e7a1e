import * as assert from "node:assert/strict";
import { evaluate, parseStatements, type Request } from "../../../policies/lib/policy-document";

const target = { bucket: "uploads", partitions: ["aws"] };
const OBJECTS = "arn:aws:s3:::uploads/*";
const get = (existingTags?: Record<string, string>): Request => ({ action: "s3:GetObject", existingTags });
const deny = (extra: object) => ({
  Effect: "Deny",
  Principal: "*",
  Action: "s3:GetObject",
  Resource: OBJECTS,
  ...extra,
});

// [what, statement, request, denies?]
const CASES: [string, object, Request, boolean][] = [
  ["an unconditional deny", deny({}), get(), true],
  ["an allow", { ...deny({}), Effect: "Allow" }, get(), false],
  ["a deny of one principal", deny({ Principal: { AWS: "arn:aws:iam::1:role/x" } }), get(), false],
  ["a deny with NotPrincipal", deny({ NotPrincipal: { AWS: "arn:aws:iam::1:role/x" } }), get(), false],
  ["a wildcard action", deny({ Action: "s3:Get*" }), get(), true],
  ["an action in another case", deny({ Action: "S3:GETOBJECT" }), get(), true],
  [
    "NotAction that leaves the action in",
    deny({ Action: undefined, NotAction: "s3:PutObject" }),
    get(),
    true,
  ],
  ["NotAction that takes the action out", deny({ Action: undefined, NotAction: "s3:Get*" }), get(), false],
  ["a resource of every bucket", deny({ Resource: "*" }), get(), true],
  ["a resource of part of the bucket", deny({ Resource: "arn:aws:s3:::uploads/public/*" }), get(), false],
  ["a resource of the bucket, not its objects", deny({ Resource: "arn:aws:s3:::uploads" }), get(), false],
  [
    "NotResource of another bucket",
    deny({ Resource: undefined, NotResource: "arn:aws:s3:::other/*" }),
    get(),
    true,
  ],
  ["a resource in another partition", deny({ Resource: "arn:aws-cn:s3:::uploads/*" }), get(), false],
  [
    "StringEquals on the tag, tag matching",
    deny({ Condition: { StringEquals: { "s3:ExistingObjectTag/Infected": "true" } } }),
    get({ Infected: "true" }),
    true,
  ],
  [
    "StringEquals on the tag, tag missing",
    deny({ Condition: { StringEquals: { "s3:ExistingObjectTag/Infected": "true" } } }),
    get(),
    false,
  ],
  [
    "StringNotEquals on the tag, tag missing (AWS: a negated operator matches)",
    deny({ Condition: { StringNotEquals: { "s3:ExistingObjectTag/Infected": "false" } } }),
    get(),
    true,
  ],
  [
    "StringNotEquals on the tag, tag clean",
    deny({ Condition: { StringNotEquals: { "s3:ExistingObjectTag/Infected": "false" } } }),
    get({ Infected: "false" }),
    false,
  ],
  [
    "a condition key in another case",
    deny({ Condition: { StringEquals: { "S3:existingObjectTag/Infected": "true" } } }),
    get({ Infected: "true" }),
    true,
  ],
  [
    "a tag key in another case (tag keys are case-sensitive)",
    deny({ Condition: { StringEquals: { "s3:ExistingObjectTag/infected": "true" } } }),
    get({ Infected: "true" }),
    false,
  ],
  [
    "Null true, tag missing",
    deny({ Condition: { Null: { "s3:ExistingObjectTag/Infected": "true" } } }),
    get(),
    true,
  ],
  [
    "Null true, tag present",
    deny({ Condition: { Null: { "s3:ExistingObjectTag/Infected": "true" } } }),
    get({ Infected: "x" }),
    false,
  ],
  [
    "StringEqualsIfExists, tag missing",
    deny({ Condition: { StringEqualsIfExists: { "s3:ExistingObjectTag/Infected": "true" } } }),
    get(),
    true,
  ],
  [
    "StringLike with a wildcard",
    deny({ Condition: { StringLike: { "s3:ExistingObjectTag/Infected": "t*" } } }),
    get({ Infected: "true" }),
    true,
  ],
  [
    "a condition the pack cannot evaluate",
    deny({ Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    get(),
    false,
  ],
  [
    "a tagged upload, by request tag",
    deny({ Action: "s3:PutObject", Condition: { StringLike: { "s3:RequestObjectTag/Infected": "*" } } }),
    { action: "s3:PutObject", requestTags: { Infected: "false" } },
    true,
  ],
  [
    "a tagged upload, by request tag keys",
    deny({
      Action: "s3:PutObject",
      Condition: { "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["Infected"] } },
    }),
    { action: "s3:PutObject", requestTags: { Infected: "false" } },
    true,
  ],
  [
    "an untagged upload, by request tag keys",
    deny({
      Action: "s3:PutObject",
      Condition: { "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["Infected"] } },
    }),
    { action: "s3:PutObject" },
    false,
  ],
];

describe("reading a bucket policy statement by what it denies", () => {
  for (const [what, statement, request, denies] of CASES) {
    it(`${denies ? "denies" : "does not deny"} for ${what}`, () => {
      assert.equal(evaluate(statement as never, target, request).denies, denies);
    });
  }

  it("collects the principals a scanner condition leaves out, without letting it narrow the deny", () => {
    const effect = evaluate(
      deny({
        Condition: { StringNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::1:role/scanner"] } },
      }) as never,
      target,
      get(),
    );
    assert.deepEqual(effect, { denies: true, exempts: ["arn:aws:iam::1:role/scanner"] });
  });

  it("does not count a deny aimed at one principal by condition", () => {
    const statement = deny({ Condition: { StringEquals: { "aws:PrincipalArn": "arn:aws:iam::1:role/x" } } });
    assert.equal(evaluate(statement as never, target, get()).denies, false);
  });

  it("covers a bucket whose name is unknown only with wildcard resources", () => {
    const unknownName = { partitions: ["aws"] };
    assert.equal(evaluate(deny({}) as never, unknownName, get()).denies, false);
    assert.equal(evaluate(deny({ Resource: "*" }) as never, unknownName, get()).denies, true);
  });

  it("reads a document given as JSON or as an object, with one statement or many", () => {
    assert.equal((parseStatements('{"Statement": {"Effect": "Deny"}}') as object[]).length, 1);
    assert.equal((parseStatements({ Statement: [{}, {}] }) as object[]).length, 2);
    assert.match((parseStatements("{") as { error: string }).error, /not valid JSON/);
  });
});
