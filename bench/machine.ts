/** The machine a run measured, for the reports: numbers mean little without it. */
import { cpus, loadavg, release, totalmem } from "node:os";
import type { Machine } from "./types";

export function describeMachine(clamav: string): Machine {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    ramGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    clamav,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
