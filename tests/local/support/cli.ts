/** Runs `npx bucketwarden` the way a person does, against a pipeline's state directory. */
import { spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../../local/paths";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `bucketwarden <args>` through the package's bin launcher, from `cwd` (a folder of the checkout),
 * with `BW_LOCAL_DIR=root`; output is not a terminal, so progress comes as plain lines.
 */
export function runCli(
  args: readonly string[],
  root: string,
  cwd = `${PROJECT_ROOT}/tests`,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${PROJECT_ROOT}/scripts/bucketwarden.cjs`, ...args], {
      cwd,
      env: { ...process.env, BW_LOCAL_DIR: root },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
