import assert from "node:assert/strict";
import {
  isUnscannableSignature,
  UNSCANNABLE_DATABASE_FILE,
  unscannableDatabase,
  unscannableReason,
} from "../../core/unscannable";
import { ScanStatus, statusOfSignature } from "../../core/verdict";

describe("core/unscannable", () => {
  it("writes one .ndb line per signature, for any target and offset", () => {
    const lines = unscannableDatabase().trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => l.split(":").slice(0, 3).join(":")),
      [
        "Bucketwarden.Unscannable.Rar4:0:*",
        "Bucketwarden.Unscannable.Rar5:0:*",
        "Bucketwarden.Unscannable.Zip64LocalHeader:0:*",
        "Bucketwarden.Unscannable.ZipMethod:0:*",
      ],
    );
  });

  it("matches both RAR markers byte for byte", () => {
    const hex = unscannableDatabase();
    assert.ok(hex.includes(`:${Buffer.from("Rar!\x1a\x07\x00", "latin1").toString("hex")}\n`));
    assert.ok(hex.includes(`:${Buffer.from("Rar!\x1a\x07\x01\x00", "latin1").toString("hex")}\n`));
  });

  it("is loaded as a .ndb database, under a name the updater never publishes", () => {
    assert.match(UNSCANNABLE_DATABASE_FILE, /^bucketwarden-[\w-]+\.ndb$/);
  });

  const statuses: Array<[string, ScanStatus]> = [
    ["Bucketwarden.Unscannable.Rar4.UNOFFICIAL", ScanStatus.Unscannable],
    ["Bucketwarden.Unscannable.Zip64LocalHeader.UNOFFICIAL", ScanStatus.Unscannable],
    ["Bucketwarden.Test.Eicar.UNOFFICIAL", ScanStatus.Infected],
    ["Win.Trojan.Unscannable-1", ScanStatus.Infected],
  ];
  for (const [signature, status] of statuses)
    it(`maps ${signature} to ${status}`, () => assert.equal(statusOfSignature(signature), status));

  it("gives a reason an operator can act on for each of its detections, and none for others", () => {
    assert.match(unscannableReason("Bucketwarden.Unscannable.Rar5.UNOFFICIAL") ?? "", /no RAR unpacker/);
    assert.match(unscannableReason("Bucketwarden.Unscannable.Zip64LocalHeader") ?? "", /data descriptor/);
    assert.equal(unscannableReason("Eicar-Signature"), undefined);
    assert.equal(isUnscannableSignature("Heuristics.Encrypted.Zip"), false);
  });
});
