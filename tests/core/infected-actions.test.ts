import assert from "node:assert/strict";
import { scannerUser } from "../../core/access-rule";
import { ConfigError } from "../../core/errors";
import {
  actsOn,
  anyInfectedAction,
  checkInfectedActions,
  quarantineRuleStatements,
} from "../../core/infected-actions";
import { DEFAULT_TAG_SCHEMA } from "../../core/tags";
import { ScanStatus } from "../../core/verdict";

const NAMES = { quarantine: "q", delete: "d", acknowledge: "a" };

describe("core/infected-actions: checkInfectedActions", () => {
  const table: Array<[string, { quarantine: boolean; delete: boolean; acknowledge: boolean }, boolean]> = [
    ["accepts no action at all", { quarantine: false, delete: false, acknowledge: false }, true],
    ["accepts a quarantine alone", { quarantine: true, delete: false, acknowledge: false }, true],
    [
      "accepts a delete after a quarantine copy",
      { quarantine: true, delete: true, acknowledge: false },
      true,
    ],
    [
      "accepts an acknowledged delete without quarantine",
      { quarantine: false, delete: true, acknowledge: true },
      true,
    ],
    [
      "refuses a delete with no copy kept and no acknowledgement",
      { quarantine: false, delete: true, acknowledge: false },
      false,
    ],
  ];
  for (const [title, given, ok] of table)
    it(title, () => {
      if (ok) checkInfectedActions(given, NAMES);
      else
        assert.throws(
          () => checkInfectedActions(given, NAMES),
          (e: unknown) =>
            e instanceof ConfigError &&
            e.setting === "d" &&
            /\bq\b/.test(e.message) &&
            /\ba\b/.test(e.message),
        );
    });
});

describe("core/infected-actions: which verdicts are acted on", () => {
  const table: Array<[ScanStatus, boolean]> = [
    [ScanStatus.Infected, true],
    [ScanStatus.Clean, false],
    [ScanStatus.LimitsExceeded, false],
    [ScanStatus.Unscannable, false],
  ];
  for (const [status, acted] of table)
    it(`${acted ? "acts" : "does not act"} on a ${status} verdict`, () =>
      assert.equal(actsOn(status), acted));

  it("counts a configuration with neither quarantine nor delete as no action", () => {
    assert.equal(anyInfectedAction({ deleteInfected: false, deleteWithoutQuarantine: false }), false);
    assert.equal(
      anyInfectedAction({ quarantineBucket: "q", deleteInfected: false, deleteWithoutQuarantine: false }),
      true,
    );
    assert.equal(anyInfectedAction({ deleteInfected: true, deleteWithoutQuarantine: true }), true);
  });
});

describe("core/infected-actions: quarantineRuleStatements", () => {
  it("is the access rule, fail-closed", () => {
    const statements = quarantineRuleStatements({
      bucket: "q",
      tags: DEFAULT_TAG_SCHEMA,
      scanner: scannerUser("scanner"),
      tlsOnly: false,
    });
    const sids = statements.map((s) => s.Sid);
    assert.ok(sids.includes("BucketwardenDenyUnscannedReads"));
    assert.ok(sids.includes("BucketwardenDenyInfectedReads"));
    assert.ok(!sids.includes("BucketwardenDenyInsecureTransport"), "TLS as asked (the store is plain HTTP)");
  });
});
