/**
 * Whether newly published definitions add signatures, and the `Definitions Updated` event that says
 * so. A rescan (BacklogScanning's rescan starter on AWS, local mode's runner) follows the event:
 * objects scanned within the rescan window are scanned again, so one the new signatures catch turns
 * infected. Pure.
 *
 * Detail schema (`source` `bucketwarden`, `detail-type` `Definitions Updated`):
 * `definitionsBucket`, `previousVersion` and `version` (manifest versions), `signaturesAdded` (the
 * sum of the databases' signature-count increases; at least 1 whenever the event is sent),
 * `databases` (each changed database: `name`, `previousVersion`/`version` for CVD/CLD containers,
 * `previousSignatures`/`signatures` where counted, `added`), `publishedAt` (ISO 8601 UTC).
 */
import type { DefinitionsFile, DefinitionsManifest } from "./manifest";
import { EVENT_SOURCE } from "./verdict-event";

/** The event's `detail-type`. */
export const DEFINITIONS_UPDATED = "Definitions Updated";

/** One database's change between two manifests. */
export interface DatabaseChange {
  /** The database, e.g. `daily` (a CVD and its CLD are one database) or `bucketwarden.hdb`. */
  name: string;
  previousVersion?: number;
  version?: number;
  previousSignatures?: number;
  signatures?: number;
  /** Whether this change may bring detections the previous database did not have. */
  added: boolean;
}

/** What a publish changed, compared with the manifest before it. */
export interface SignatureChange {
  previousVersion: string;
  version: string;
  /** True when any database may detect something new: the event is sent and rescans run. */
  added: boolean;
  /** Sum of the signature-count increases (a count can stay level while signatures are replaced). */
  signaturesAdded: number;
  /** The databases that changed. */
  databases: DatabaseChange[];
}

/** The detail of a `Definitions Updated` event. */
export interface DefinitionsUpdatedDetail {
  definitionsBucket: string;
  previousVersion: string;
  version: string;
  signaturesAdded: number;
  databases: DatabaseChange[];
  publishedAt: string;
}

export interface DefinitionsUpdatedEvent {
  source: typeof EVENT_SOURCE;
  detailType: typeof DEFINITIONS_UPDATED;
  detail: DefinitionsUpdatedDetail;
}

/**
 * Extensions of the plain-text databases that hold detections, one signature a line (ClamAV's
 * signature-writing guide). Allow lists (`.fp`, `.sfp`, `.ign`, `.ign2`) only take detections away.
 */
export const DETECTION_DATABASE_EXTENSIONS = [
  "hdb",
  "hsb",
  "hdu",
  "hsu",
  "mdb",
  "msb",
  "mdu",
  "msu",
  "ndb",
  "ndu",
  "ldb",
  "ldu",
  "cdb",
  "idb",
  "pdb",
  "gdb",
  "wdb",
] as const;

/** Signed containers (CVD, and CLD as freshclam keeps them after an incremental update). */
const CONTAINER = /\.(cvd|cld|cud)$/i;

function extensionOf(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1).toLowerCase();
}

/** Whether `name` is a database that can add detections. */
export function isDetectionDatabase(name: string): boolean {
  return (
    CONTAINER.test(name) || (DETECTION_DATABASE_EXTENSIONS as readonly string[]).includes(extensionOf(name))
  );
}

/** The database a file holds: `daily.cvd` and `daily.cld` are both `daily`. */
export function databaseName(fileName: string): string {
  return CONTAINER.test(fileName) ? fileName.replace(CONTAINER, "") : fileName;
}

/** Signatures in a plain-text database's content: its non-empty lines that are not comments. */
export function countTextSignatures(text: string): number {
  let n = 0;
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t !== "" && !t.startsWith("#")) n++;
  }
  return n;
}

/** The signature count in a CVD/CLD header (`ClamAV-VDB:<time>:<version>:<signatures>:...`). */
export function cvdSignatures(header: string): number | undefined {
  const m = /^ClamAV-VDB:[^:]*:\d+:(\d+):/.exec(header);
  return m ? Number(m[1]) : undefined;
}

/**
 * Compares a new file list with the previous manifest. A detection database adds signatures when it
 * is new (with any), its container version rises, its count rises, or its content changed while its
 * count is unknown or level (signatures replaced). Only a change that lowers the count without a
 * version rise (signatures dropped) adds nothing. `undefined` when there was no previous manifest (no
 * object was scanned with older definitions) or nothing changed.
 */
export function signatureChange(
  previous: DefinitionsManifest | undefined,
  version: string,
  next: readonly DefinitionsFile[],
): SignatureChange | undefined {
  if (previous === undefined || previous.version === version) return undefined;
  const before = new Map(previous.files.map((f) => [databaseName(f.name), f]));
  const databases: DatabaseChange[] = [];
  let signaturesAdded = 0;
  for (const file of next) {
    if (!isDetectionDatabase(file.name)) continue;
    const name = databaseName(file.name);
    const old = before.get(name);
    if (old && old.sha256 === file.sha256) continue;
    const versionUp = old?.version !== undefined && file.version !== undefined && file.version > old.version;
    const countKnown = old?.signatures !== undefined && file.signatures !== undefined;
    const delta = countKnown ? (file.signatures ?? 0) - (old?.signatures ?? 0) : 0;
    const added = old === undefined ? (file.signatures ?? 1) > 0 : versionUp || !countKnown || delta >= 0;
    signaturesAdded += old === undefined ? (file.signatures ?? 0) : Math.max(0, delta);
    databases.push({
      name,
      ...(old?.version !== undefined && { previousVersion: old.version }),
      ...(file.version !== undefined && { version: file.version }),
      ...(old?.signatures !== undefined && { previousSignatures: old.signatures }),
      ...(file.signatures !== undefined && { signatures: file.signatures }),
      added,
    });
  }
  if (databases.length === 0) return undefined;
  return {
    previousVersion: previous.version,
    version,
    added: databases.some((d) => d.added),
    signaturesAdded,
    databases,
  };
}

/** The event for a change that added signatures; `undefined` when it added none. */
export function definitionsUpdatedEvent(
  change: SignatureChange | undefined,
  definitionsBucket: string,
  at: Date,
): DefinitionsUpdatedEvent | undefined {
  if (!change?.added) return undefined;
  return {
    source: EVENT_SOURCE,
    detailType: DEFINITIONS_UPDATED,
    detail: {
      definitionsBucket,
      previousVersion: change.previousVersion,
      version: change.version,
      // A level count with new content still brought new signatures: never report 0 in the event.
      signaturesAdded: Math.max(1, change.signaturesAdded),
      databases: change.databases,
      publishedAt: at.toISOString(),
    },
  };
}
