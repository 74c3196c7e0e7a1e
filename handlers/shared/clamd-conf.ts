/** The `clamd.conf` the scanner generates for its resident engine. Pure. */

export interface ClamdConfOptions {
  /** The unix socket clamd listens on (only this process talks to it). */
  socketPath: string;
  /** Folder of the database files; the scanner points it at the current definitions. */
  databaseDir: string;
  /** Where clamd unpacks archives while scanning them. */
  tempDir: string;
  /** The scanner's `maxObjectBytes`: the engine must look at every byte up to it. */
  maxObjectBytes: number;
  /** clamd's `MaxScanTime`: `engineMaxScanTimeMs` of the scan timeout (core/handler-config). */
  maxScanTimeMs: number;
  /** `ConcurrentDatabaseReload`: off when memory cannot hold two engines (core/sizing). @default true */
  concurrentReload?: boolean;
}

/**
 * Renders clamd's configuration. Every limit comes from `maxObjectBytes` and any limit that is hit
 * is reported as a `Heuristics.Limits.Exceeded` detection, so a partly scanned object is never
 * called clean; encrypted archives and documents are reported the same way.
 */
export function renderClamdConf(o: ClamdConfOptions): string {
  const limit = String(o.maxObjectBytes);
  const lines: Array<[string, string]> = [
    ["LocalSocket", o.socketPath],
    ["LocalSocketMode", "600"],
    ["FixStaleSocket", "yes"],
    // Lambda has no init system: the handler is clamd's parent and watches it.
    ["Foreground", "yes"],
    ["DatabaseDirectory", o.databaseDir],
    ["TemporaryDirectory", o.tempDir],
    ["StreamMaxLength", limit],
    ["MaxScanSize", limit],
    ["MaxFileSize", limit],
    // ClamAV's default (120 s) is not what the scanner can afford: the scanner derives it from its
    // scan timeout. A hit is reported as Heuristics.Limits.Exceeded.MaxScanTime (AlertExceedsMax).
    ["MaxScanTime", String(o.maxScanTimeMs)],
    ["AlertExceedsMax", "yes"],
    ["AlertEncrypted", "yes"],
    // The scanner reloads when the manifest changes; clamd must not reload on its own in between.
    ["SelfCheck", "0"],
    // Scans continue on the old database while the new one loads; the scanner waits for the switch.
    ["ConcurrentDatabaseReload", o.concurrentReload === false ? "no" : "yes"],
    ["CommandReadTimeout", "5"],
    ["LogTime", "no"],
    ["LogClean", "no"],
  ];
  return `${lines.map(([k, v]) => `${k} ${v}`).join("\n")}\n`;
}
