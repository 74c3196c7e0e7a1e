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
  /** Objects in which a signature matched (verdict `infected`; not limits-exceeded or unscannable). */
  malwareDetected: "MalwareDetected",
  /** Infected versions copied to the quarantine bucket (core/infected-actions). */
  infectedQuarantined: "InfectedObjectsQuarantined",
  /** Infected versions deleted from the upload bucket. */
  infectedDeleted: "InfectedObjectsDeleted",
  /** Quarantine copies or deletes that failed, and deletes skipped because the copy failed. */
  infectedActionFailures: "InfectedActionFailures",
} as const;

/** Metrics the updater writes, one line per run; the definitions' alarms watch them. */
export const UpdaterMetrics = {
  /** 1 when a run ended with no database published at all (e.g. the mirror refused the account: 403/429). */
  definitionsMissing: "DefinitionsMissing",
  /** Age in seconds of the database the scanners read (since its content last changed), at the end of a run. */
  definitionsAgeSeconds: "DefinitionsAgeSeconds",
} as const;
