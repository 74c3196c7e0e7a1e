/**
 * The canary: a one-line signature database the scanner adds to every definitions version it
 * loads, matching a probe string that names the version. Scanning the probe tells which version
 * clamd has active, which clamd itself does not say for custom databases: that is how the scanner
 * knows a reload has taken effect before it stamps verdicts with the new version. Pure.
 */

/** File name of the canary inside a definitions folder (never a name the updater publishes). */
export const CANARY_FILE = "bucketwarden-canary.ndb";

const PREFIX = "Bucketwarden.Canary.";

/** The bytes that only the canary of `version` detects. */
export function canaryProbe(version: string): Buffer {
  return Buffer.from(`BUCKETWARDEN-CANARY-${version}`, "utf8");
}

/** The canary's `.ndb` line: `Name:TargetType:Offset:HexSignature`. */
export function canaryDatabase(version: string): string {
  return `${PREFIX}${version}:0:*:${canaryProbe(version).toString("hex")}\n`;
}

/** The version a detection of the canary names, or `undefined` for any other detection. */
export function canaryVersion(signature: string | undefined): string | undefined {
  if (!signature?.startsWith(PREFIX)) return undefined;
  return signature.slice(PREFIX.length).replace(/\.UNOFFICIAL$/, "");
}
