/**
 * Names of the metrics the handlers write (EMF) that the components' alarms watch, so a handler and
 * the alarm on its metric cannot drift apart.
 */

/** Metrics the scanner writes. */
export const ScannerMetrics = {
  /** Objects that arrived with verdict tags the scanner did not write (no valid stamp): someone tried. */
  verdictForgeryAttempts: "VerdictForgeryAttempts",
  /** User tags dropped because their key is a verdict key in another letter case. */
  reservedTagKeysDropped: "ReservedTagKeysDropped",
} as const;
