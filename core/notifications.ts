/**
 * The upload bucket's notification configuration. A bucket has exactly one, so the component owns it:
 * it writes the scanner's entry and any entries the caller adds. S3 rejects two entries whose event
 * types and key filters overlap, and the scanner's entry takes every object-created event of every
 * key, so the caller's own entries must be about other events (removals, restores, ...) or go through
 * EventBridge, which has no such limit.
 */

/** The events that trigger a scan: every way an object can come to exist. */
export const SCAN_EVENTS = ["s3:ObjectCreated:*"] as const;

/**
 * The events that trigger a rescan on AWS: a tag write or delete. On AWS a user may edit an object's
 * own tags (the access rule refuses only verdict keys), and since a tag write replaces the whole set,
 * the edit drops a clean verdict: fail-closed makes the object unreadable until the scanner has seen
 * it again. The scanner's own tag writes come back as these events too and are skipped by their stamp.
 */
export const RESCAN_EVENTS = ["s3:ObjectTagging:*"] as const;

/** Every event the scanner's notification entry asks for on AWS. */
export const SCANNER_EVENTS = [...SCAN_EVENTS, ...RESCAN_EVENTS] as const;

/** The part of a notification entry that decides whether it overlaps. */
export interface NotificationEntry {
  events: readonly string[];
  filterPrefix?: string;
  filterSuffix?: string;
}

/** The caller's entries that S3 would reject beside the scanner's, as readable strings. */
export function scanEventConflicts(kind: string, entries: readonly NotificationEntry[]): string[] {
  const found: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const clash = entry.events.filter(
      (e) => e.startsWith("s3:ObjectCreated:") || e.startsWith("s3:ObjectTagging:"),
    );
    if (clash.length > 0) found.push(`${kind}[${i}] also asks for ${clash.join(", ")}`);
  }
  return found;
}
