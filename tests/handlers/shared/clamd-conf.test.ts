import assert from "node:assert/strict";
import { renderClamdConf } from "../../../handlers/shared/clamd-conf";

function options(conf: string): Record<string, string> {
  return Object.fromEntries(
    conf
      .trim()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)]),
  );
}

describe("handlers/shared/clamd-conf", () => {
  const conf = options(
    renderClamdConf({
      socketPath: "/w/clamd.sock",
      databaseDir: "/w/db",
      tempDir: "/w/tmp",
      maxObjectBytes: 123456,
      maxScanTimeMs: 270000,
    }),
  );
  const table: Array<[string, string, string]> = [
    ["listens only on its unix socket", "LocalSocket", "/w/clamd.sock"],
    ["keeps the socket to its own user", "LocalSocketMode", "600"],
    ["stays in the foreground, a child of the handler", "Foreground", "yes"],
    ["loads from the given folder", "DatabaseDirectory", "/w/db"],
    ["unpacks archives in the work folder", "TemporaryDirectory", "/w/tmp"],
    ["accepts streams up to maxObjectBytes", "StreamMaxLength", "123456"],
    ["scans up to maxObjectBytes of content", "MaxScanSize", "123456"],
    ["scans files up to maxObjectBytes", "MaxFileSize", "123456"],
    ["gives the engine the scan time the scanner derived, not ClamAV's 120 s", "MaxScanTime", "270000"],
    ["reports hit limits as detections, never clean", "AlertExceedsMax", "yes"],
    ["reports encrypted archives and documents", "AlertEncrypted", "yes"],
    ["never reloads behind the scanner's back", "SelfCheck", "0"],
    ["keeps scanning while a reload loads", "ConcurrentDatabaseReload", "yes"],
  ];
  for (const [behaviour, key, value] of table) it(behaviour, () => assert.equal(conf[key], value));

  it("has no option twice", () => {
    const conf = renderClamdConf({
      socketPath: "s",
      databaseDir: "d",
      tempDir: "t",
      maxObjectBytes: 1,
      maxScanTimeMs: 1,
    });
    const keys = conf
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[0]);
    assert.equal(new Set(keys).size, keys.length);
  });
});
