/**
 * Adopting a bucket that exists already: the component writes the bucket's one policy and its one
 * notification configuration, replacing what the bucket had. That is an outage for whatever the old
 * policy allowed or the old notifications fed, so it happens only when the user says so, and the
 * refusal names exactly what would be replaced and where to pass what must be kept. Pure.
 */

/** How the caller names things: component arguments or stack settings differ. */
export interface AdoptionTerms {
  /** Where the user's own policy statements are passed (kept beside the access rule). */
  policyStatements: string;
  /** How the user keeps the bucket's other notification entries. */
  keepNotifications: string;
  /** The opt-in to set, with the value that accepts, e.g. `adoptExistingBucket: true`. */
  optIn: string;
}

/** The component arguments' names. */
export const COMPONENT_ADOPTION_TERMS: AdoptionTerms = {
  policyStatements: "policyStatements",
  keepNotifications:
    "pass its other entries (queues, topics, functions, EventBridge) in extraNotifications, or they are lost",
  optIn: "adoptExistingBucket: true",
};

/**
 * Why adopting `buckets` is refused without the opt-in: the two configurations it would replace, and
 * where the user's own statements and entries must be passed so they are not lost.
 */
export function adoptionRefusal(buckets: readonly string[], terms: AdoptionTerms): string {
  const named = buckets.map((b) => `"${b}"`).join(", ");
  return (
    `refusing to take over the existing ${buckets.length === 1 ? "bucket" : "buckets"} ${named} without an explicit opt-in. ` +
    `Adopting ${buckets.length === 1 ? "it" : "each"} replaces (1) the bucket's one policy: pass the statements of your own that it must keep in ` +
    `${terms.policyStatements}, or they are lost; and (2) its one notification configuration: ` +
    `${terms.keepNotifications}. Set ${terms.optIn} to accept.`
  );
}

/** The stack settings' names: they have no way to pass other notification entries. */
export function settingsAdoptionTerms(name: (key: string) => string): AdoptionTerms {
  return {
    policyStatements: name("bucketPolicyStatements"),
    keepNotifications:
      "the stack settings cannot pass other entries, so they are lost (the UploadScanner component's extraNotifications keeps them)",
    optIn: `${name("adoptExistingBuckets")}: true`,
  };
}
