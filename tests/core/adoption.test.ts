import assert from "node:assert/strict";
import { adoptionRefusal, COMPONENT_ADOPTION_TERMS, settingsAdoptionTerms } from "../../core/adoption";

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
