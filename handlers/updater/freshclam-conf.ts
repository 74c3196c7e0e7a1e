/** The `freshclam.conf` and command-line flags the updater runs freshclam with. Pure. */
import type { UpdaterConfig } from "../../core/handler-config";

/** The official databases, excluded when only private or custom sources are wanted. */
export const OFFICIAL_DATABASES = ["main", "daily", "bytecode"] as const;

export interface FreshclamConfOptions
  extends Pick<
    UpdaterConfig,
    "officialDatabases" | "databaseMirrors" | "privateMirrors" | "customDatabaseUrls"
  > {
  databaseDir: string;
  /** The user the updater runs as. freshclam started as root drops to this user, so it must own the folder. */
  databaseOwner?: string;
}

/** Renders freshclam's configuration (freshclam 1.4; every option checked against `man freshclam.conf`). */
export function renderFreshclamConf(o: FreshclamConfOptions): string {
  const lines: string[] = [`DatabaseDirectory ${o.databaseDir}`];
  if (o.databaseOwner) lines.push(`DatabaseOwner ${o.databaseOwner}`);
  // freshclam loads each new database before replacing the old one; the updater checks the whole
  // folder again afterwards.
  lines.push("TestDatabases yes");
  // PrivateMirror replaces DatabaseMirror (and DNS checks). freshclam refuses to run with neither,
  // even when every official database is excluded.
  if (o.privateMirrors.length > 0) for (const m of o.privateMirrors) lines.push(`PrivateMirror ${m}`);
  else for (const m of o.databaseMirrors) lines.push(`DatabaseMirror ${m}`);
  if (!o.officialDatabases) for (const db of OFFICIAL_DATABASES) lines.push(`ExcludeDatabase ${db}`);
  for (const url of o.customDatabaseUrls) lines.push(`DatabaseCustomURL ${url}`);
  // Stay within the function's time budget: give up on a stalled mirror instead of hanging.
  lines.push("ConnectTimeout 30", "ReceiveTimeout 300", "LogTime no");
  return `${lines.join("\n")}\n`;
}

/**
 * Command-line flags for freshclam. Without the official databases there is nothing to look up in
 * ClamAV's DNS record: `--no-dns` turns the lookup off (freshclam 1.4 reads `DNSDatabaseInfo no` as
 * a host named "no" and queries it).
 */
export function freshclamArgs(confPath: string, o: Pick<UpdaterConfig, "officialDatabases">): string[] {
  return [`--config-file=${confPath}`, "--stdout", ...(o.officialDatabases ? [] : ["--no-dns"])];
}

/** freshclam's answers when the CDN told it to back off (HTTP 429/403); its freshclam.dat keeps the date. */
export function isCoolDown(output: string): boolean {
  // Not "Cool-down expired, ok to try again.", which freshclam prints when it may go ahead.
  return /on cool-down until/i.test(output);
}
