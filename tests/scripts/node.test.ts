import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const toolsBin = join(root, ".tools", "node", "bin");

describe("the Node the scripts run on", () => {
  before(function () {
    // scripts/ensure-deps.sh installs it; npm test runs ensure-deps first.
    if (!existsSync(join(toolsBin, "node"))) {
      console.log(`  skipped: ${toolsBin}/node is missing; run scripts/ensure-deps.sh (npm test does)`);
      this.skip();
    }
  });

  it("is Node 22 from npm's registry once scripts/node.sh is sourced, whatever Node is on PATH", () => {
    const version = execFileSync("bash", ["-c", ". scripts/node.sh && node --version"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PATH: "/usr/local/bin:/usr/bin:/bin" },
    }).trim();
    assert.match(version, /^v22\./);
  });

  it("is the one running these tests when npm test started them", function () {
    if (!(process.env.PATH ?? "").split(":").includes(toolsBin)) {
      console.log(`  skipped: mocha was started without scripts/node.sh (${toolsBin} is not on PATH)`);
      this.skip();
    }
    assert.equal(process.versions.node.split(".")[0], "22");
  });

  it("does not add Node 22 to PATH twice when scripts source it again", () => {
    const path = execFileSync("bash", ["-c", '. scripts/node.sh && . scripts/node.sh && echo "$PATH"'], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PATH: "/usr/bin:/bin" },
    }).trim();
    assert.equal(path.split(":").filter((p) => p === toolsBin).length, 1);
  });
});
