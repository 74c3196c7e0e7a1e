/**
 * What the scanner may do with an infected object besides tagging it: copy it to a quarantine
 * bucket, and delete the infected version from the upload bucket. Both are off by default. Deleting
 * destroys the only copy of the evidence, so it is refused unless the object is quarantined first or
 * the user says, in so many words, that losing it is fine. The one check of that rule lives here and
 * is called by the component arguments, the stack settings and the scanner's configuration alike.
 */
import { type AccessRuleArgs, accessRuleStatements, type PolicyStatement } from "./access-rule";
import { ConfigError } from "./errors";
import { ScanStatus } from "./verdict";

/** The built-in actions, as the verdict event's `actions[].action` spells them. */
export const InfectedAction = {
  /** The infected version was copied, bytes and verdict tags, to the quarantine bucket. */
  Quarantine: "quarantine",
  /** The infected version was deleted from the upload bucket. */
  Delete: "delete",
} as const;
export type InfectedAction = (typeof InfectedAction)[keyof typeof InfectedAction];

/** How an action ended, as the verdict event's `actions[].outcome` spells it. */
export const ActionOutcome = {
  Done: "done",
  /** The call failed; `error` says why. The object stays where it was, tagged infected. */
  Failed: "failed",
  /** Not attempted; `reason` says why (e.g. no delete after a failed quarantine copy). */
  Skipped: "skipped",
} as const;
export type ActionOutcome = (typeof ActionOutcome)[keyof typeof ActionOutcome];

/** One action taken on an infected object, recorded in its `Object Scanned` event. */
export interface ActionRecord {
  action: InfectedAction;
  outcome: ActionOutcome;
  /** Quarantine: the bucket the copy went to. Delete: the upload bucket. */
  bucket: string;
  /** The key copied to or deleted. */
  key: string;
  /** Quarantine: the copy's version in the quarantine bucket. Delete: the version deleted. */
  versionId?: string;
  /** Failed: the error's name and message. */
  error?: string;
  /** Skipped: why. */
  reason?: string;
}

/** The actions a scanner is configured to take. */
export interface InfectedActionsConfig {
  /** Copy infected versions to this bucket (same key). @default none */
  quarantineBucket?: string;
  /** Delete infected versions from the upload bucket. @default false */
  deleteInfected: boolean;
  /**
   * Accept deleting without a quarantine copy (the infected bytes are then gone for good, and with
   * them the evidence of what was uploaded). @default false
   */
  deleteWithoutQuarantine: boolean;
}

/** The names each entry point gives the three settings, for its error messages. */
export interface InfectedActionsNames {
  quarantine: string;
  delete: string;
  acknowledge: string;
}

/**
 * Refuses a delete that has neither a quarantine to keep the evidence nor an acknowledgement that
 * losing it is intended, with a {@link ConfigError} naming the delete setting as `names` spell it.
 */
export function checkInfectedActions(
  given: { quarantine: boolean; delete: boolean; acknowledge: boolean },
  names: InfectedActionsNames,
): void {
  if (given.delete && !given.quarantine && !given.acknowledge)
    throw new ConfigError(
      names.delete,
      `deletes infected objects with no copy kept: turn on ${names.quarantine} to keep them in a ` +
        `quarantine bucket, or set ${names.acknowledge} to accept losing them`,
    );
}

/** Whether a verdict calls for the actions: only a matched signature, never a limit or an unscannable file. */
export function actsOn(status: ScanStatus): boolean {
  return status === ScanStatus.Infected;
}

/** Whether any action is configured. */
export function anyInfectedAction(config: InfectedActionsConfig): boolean {
  return config.quarantineBucket !== undefined || config.deleteInfected;
}

/**
 * The quarantine bucket's policy statements: the upload buckets' access rule, fail-closed, with no
 * copies, replication or user tag writes let in. Everything in the bucket carries the infected
 * verdict the scanner copied with it, so no one but the scanner (who writes the copies) and the
 * break-glass roles can read a byte of it, whatever else the account grants.
 */
export function quarantineRuleStatements(
  args: Pick<AccessRuleArgs, "bucket" | "tags" | "scanner" | "breakGlass" | "tlsOnly" | "partition">,
): PolicyStatement[] {
  return accessRuleStatements({ ...args, failClosed: true });
}
