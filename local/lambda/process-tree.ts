/**
 * Ending an execution environment the way Lambda does: everything in it goes, including the engine
 * the handler started. A handler's child that moved to its own session would escape a process-group
 * kill, so the tree is also walked through /proc.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The parent of every live process, read from /proc. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name (field 2) may hold spaces and parentheses; fields after the last ")" are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      map.set(Number(name), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  return map;
}

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [child, parent] of parents()) byParent.set(parent, [...(byParent.get(parent) ?? []), child]);
  const tree: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop() as number;
    tree.push(p);
    todo.push(...(byParent.get(p) ?? []));
  }
  return tree;
}

/** SIGKILLs the process group led by `pid` (which may itself be gone already). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // No such group: every member is gone.
  }
}

/** SIGKILLs `pid`'s process group and every descendant. */
export function killTree(pid: number): void {
  const tree = processTree(pid);
  killGroup(pid);
  for (const p of tree) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
