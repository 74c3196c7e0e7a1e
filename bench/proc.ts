/**
 * Memory and disk use of running processes, read from /proc and the file system. Linux only, like
 * Lambda. Peak resident memory comes from the kernel's own high-water mark (VmHWM), which catches
 * peaks between two samples; writing "5" to `clear_refs` restarts it, so each case gets its own peak.
 */
import { lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ProcessMemory {
  /** Resident memory now (VmRSS). */
  rssBytes: number;
  /** Highest resident memory since start or since the last {@link resetPeakMemory} (VmHWM). */
  peakBytes: number;
  /** The anonymous part of the resident memory now (RssAnon): what is not a mapped file. */
  anonBytes: number;
}

function statusField(status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** The memory of `pid`, or `undefined` when it has exited. */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const rssBytes = statusField(status, "VmRSS");
  const peakBytes = statusField(status, "VmHWM");
  const anonBytes = statusField(status, "RssAnon");
  // A zombie has no memory fields left.
  return rssBytes === undefined || peakBytes === undefined || anonBytes === undefined
    ? undefined
    : { rssBytes, peakBytes, anonBytes };
}

/** Restarts `pid`'s high-water mark at its current resident size. False when that is not allowed. */
export function resetPeakMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses; the fields after the last ")" are fixed.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/**
 * The first live descendant of `pid` whose command line matches. The tools run through the layer's
 * dynamic loader, so the process name is the loader's; the command line names the tool.
 */
export function findDescendant(pid: number, matches: (commandLine: string) => boolean): number | undefined {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(Number(name));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const todo = [...(children.get(pid) ?? [])];
  while (todo.length > 0) {
    const p = todo.shift() as number;
    if (matches(commandLine(p))) return p;
    todo.push(...(children.get(p) ?? []));
  }
  return undefined;
}

/** True for the command line of clamd started from a layer or from the host. */
export function isClamd(commandLine: string): boolean {
  return /(^|\/)clamd(\s|$)/.test(commandLine);
}

/**
 * Bytes a folder takes on disk, files below it included, symlinks not followed (the scanner links
 * its current database). Files vanishing while we count are skipped: clamd deletes its spool files.
 */
export function diskUsage(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (st.isDirectory()) total += diskUsage(path);
      else if (st.isFile()) total += st.blocks * 512;
    } catch {
      // Gone between readdir and lstat.
    }
  }
  return total;
}
