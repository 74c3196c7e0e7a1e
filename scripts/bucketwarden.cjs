#!/usr/bin/env node
// `npx bucketwarden <command>` from a checkout (package.json "bin"): runs cli/main.ts with tsx on the
// checkout's Node 22 (.tools/node, which scripts/ensure-deps.sh installs; the machine's Node
// otherwise). Paths come from this file's place, so it works from any folder of the checkout.
"use strict";
const { spawn } = require("node:child_process");
const { existsSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
// npm ships every "bin" target, so this file is also in the published package, whose library has
// no CLI sources (the command drives local mode and the AWS backend from a checkout): say so.
if (!existsSync(path.join(root, "cli/main.ts"))) {
  console.error(
    "bucketwarden: the bucketwarden command runs from a checkout of the bucketwarden repository " +
      "(npm ci there, then npx bucketwarden); the npm package holds the Pulumi components only.",
  );
  process.exit(1);
}
const bundled = path.join(root, ".tools/node/bin/node");
const node = existsSync(bundled) ? bundled : process.execPath;
const child = spawn(
  node,
  [
    "--require",
    require.resolve("tsx/cjs", { paths: [root] }),
    path.join(root, "cli/main.ts"),
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
// Ctrl-C reaches the command too (same process group): it stops following and says how to resume.
// This launcher waits for it rather than dying first and returning the prompt under its output.
process.on("SIGINT", () => {});
child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
