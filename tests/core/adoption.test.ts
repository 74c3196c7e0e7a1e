import assert from "node:assert/strict";
import { AccessRuleSids, type PolicyStatement } from "../../core/access-rule";
import {
  adoptionRefusal,
  COMPONENT_ADOPTION_TERMS,
  settingsAdoptionTerms,
  unkeptStatements,
  unkeptStatementsRefusal,
} from "../../core/adoption";

describe("core/adoption: the refusal to take over an existing bucket", () => {
  const settingsTerms = settingsAdoptionTerms((k) => `bucketwarden:${k}`);
  const table: Array<[string, string[], typeof COMPONENT_ADOPTION_TERMS, RegExp[]]> = [
    [
      "names one bucket and the component arguments that keep the user's statements and entries",
      ["acme-avatars"],
      COMPONENT_ADOPTION_TERMS,
      [
        /the existing bucket "acme-avatars"/,
        /\(1\) the bucket's one policy: pass the statements of your own that it must keep in policyStatements, or they are lost/,
        /\(2\) its one notification configuration: pass its other entries \(queues, topics, functions, EventBridge\) in extraNotifications, or they are lost/,
        /Set adoptExistingBucket: true to accept\.$/,
      ],
    ],
    [
      "names every bucket and the stack settings, saying other notification entries cannot be kept there",
      ["acme.avatars", "acme-docs"],
      settingsTerms,
      [
        /the existing buckets "acme\.avatars", "acme-docs"/,
        /Adopting each replaces/,
        /keep in bucketwarden:bucketPolicyStatements, or they are lost/,
        /the stack settings cannot pass other entries, so they are lost \(the UploadScanner component's extraNotifications keeps them\)/,
        /Set bucketwarden:adoptExistingBuckets: true to accept\.$/,
      ],
    ],
  ];
  for (const [title, buckets, terms, expected] of table)
    it(title, () => {
      const message = adoptionRefusal(buckets, terms);
      for (const pattern of expected) assert.match(message, pattern);
    });
});

describe("core/adoption: the live statements adopting a bucket would lose", () => {
  const READ: PolicyStatement = {
    Sid: "Read",
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::b/*",
  };
  const UNNAMED: PolicyStatement = {
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:root" },
    Action: "s3:ListBucket",
    Resource: "arn:aws:s3:::b",
  };
  const RULE: PolicyStatement = {
    Sid: AccessRuleSids.denyUnscanned,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::b/*",
  };
  const policy = (...s: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: s });
  const table: Array<[string, string | undefined, PolicyStatement[], PolicyStatement[]]> = [
    ["nothing when the bucket has no policy", undefined, [], []],
    ["nothing when the policy is empty text", "", [], []],
    ["a named statement not passed", policy(READ), [], [READ]],
    [
      "nothing for a named statement passed under the same Sid, even edited",
      policy(READ),
      [{ ...READ, Action: ["s3:GetObject"] }],
      [],
    ],
    ["an unnamed statement not passed", policy(UNNAMED), [READ], [UNNAMED]],
    [
      "nothing for an unnamed statement passed with its keys in another order",
      policy(UNNAMED),
      [
        {
          Resource: "arn:aws:s3:::b",
          Action: "s3:ListBucket",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Effect: "Allow",
        },
      ],
      [],
    ],
    [
      "an unnamed statement passed with other content",
      policy(UNNAMED),
      [{ ...UNNAMED, Action: "s3:*" }],
      [UNNAMED],
    ],
    [
      "nothing when the policy already holds the access rule (this component wrote it)",
      policy(RULE, READ),
      [],
      [],
    ],
    ["a single statement given as an object, not a list", JSON.stringify({ Statement: [READ] }), [], [READ]],
  ];
  for (const [title, live, passed, expected] of table)
    it(`reports ${title}`, () => assert.deepEqual(unkeptStatements(live, passed), expected));

  it("lists each lost statement by Sid, or whole when it has none, and says how to keep them", () => {
    const message = unkeptStatementsRefusal("acme-avatars", [READ, UNNAMED], "policyStatements");
    assert.match(message, /bucket "acme-avatars": it has 2 statements not passed in policyStatements/);
    assert.match(message, /Sid "Read"; \{"Effect":"Allow"/);
    assert.match(
      message,
      /Pass them in policyStatements to keep them, or remove them from the bucket first\.$/,
    );
  });
});
