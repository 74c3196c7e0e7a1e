import assert from "node:assert/strict";
import { canaryDatabase, canaryProbe, canaryVersion } from "../../../handlers/scanner/canary";

describe("handlers/scanner/canary", () => {
  it("writes an .ndb line whose pattern is the probe of the same version", () => {
    const [name, target, offset, hex] = canaryDatabase("0123abcd").trim().split(":");
    assert.deepEqual([name, target, offset], ["Bucketwarden.Canary.0123abcd", "0", "*"]);
    assert.equal(Buffer.from(hex, "hex").toString(), canaryProbe("0123abcd").toString());
  });

  it("gives different probes to different versions", () =>
    assert.notDeepEqual(canaryProbe("aaaa"), canaryProbe("bbbb")));

  const table: Array<[string | undefined, string | undefined]> = [
    ["Bucketwarden.Canary.0123abcd.UNOFFICIAL", "0123abcd"],
    ["Bucketwarden.Canary.0123abcd", "0123abcd"],
    ["Eicar-Signature", undefined],
    [undefined, undefined],
  ];
  for (const [signature, version] of table)
    it(`reads the version from ${signature}`, () => assert.equal(canaryVersion(signature), version));
});
