import assert from "node:assert/strict";
import { UpdateError } from "../../../handlers/shared/errors";
import {
  DEFAULT_TOOL_CAPS,
  freshclamTimeoutMs,
  MIN_TOOL_MS,
  PUBLISH_RESERVE_MS,
  VERIFY_RESERVE_MS,
  verifyTimeoutMs,
} from "../../../handlers/updater/budget";
import { coolDownUntil } from "../../../handlers/updater/state";

describe("updater: tool timeouts from the invocation's time left", () => {
  const table: Array<[string, number, number, number]> = [
    // [what, remaining ms, freshclam timeout, clamscan timeout]
    ["uses the caps when there is no deadline", Number.POSITIVE_INFINITY, 600_000, 300_000],
    ["uses the caps when a 15-minute invocation has just begun", 900_000, 600_000, 300_000],
    [
      "fits both tools inside the default 10-minute updater timeout",
      600_000,
      600_000 - VERIFY_RESERVE_MS - PUBLISH_RESERVE_MS,
      300_000,
    ],
    [
      "gives freshclam only what loading and publishing leave of 3 minutes",
      180_000,
      180_000 - VERIFY_RESERVE_MS - PUBLISH_RESERVE_MS,
      180_000 - PUBLISH_RESERVE_MS,
    ],
  ];
  for (const [what, remaining, freshclam, verify] of table)
    it(what, () => {
      assert.equal(freshclamTimeoutMs(remaining, DEFAULT_TOOL_CAPS), freshclam);
      assert.equal(verifyTimeoutMs(remaining, DEFAULT_TOOL_CAPS), verify);
      assert.ok(
        freshclam + VERIFY_RESERVE_MS + PUBLISH_RESERVE_MS <= remaining,
        "freshclam ends before Lambda would",
      );
    });

  it("refuses to start freshclam when it could not finish in time", () => {
    assert.throws(
      () => freshclamTimeoutMs(VERIFY_RESERVE_MS + PUBLISH_RESERVE_MS + MIN_TOOL_MS - 1),
      (e: Error) => e instanceof UpdateError && /not enough time left/.test(e.message),
    );
  });
});

describe("updater: the cool-down freshclam records in freshclam.dat", () => {
  /** freshclam.dat as freshclam 1.x writes it on 64-bit Linux. */
  function stateFile(retryAfterSeconds: number, version = 1, magic = "FreshClamData"): Buffer {
    const b = Buffer.alloc(13 + 56);
    b.write(magic, 0, "latin1");
    b.writeUInt32LE(version, 13);
    b.write("0d6a7a1e-0000-4000-8000-000000000000", 17, "latin1");
    b.writeBigInt64LE(BigInt(retryAfterSeconds), 13 + 48);
    return b;
  }
  const table: Array<[string, Buffer, string | undefined]> = [
    ["reads the end of a recorded cool-down", stateFile(1_800_000_000), "2027-01-15T08:00:00.000Z"],
    ["reads no cool-down when none is recorded", stateFile(0), undefined],
    ["ignores a file of another format version", stateFile(1_800_000_000, 2), undefined],
    ["ignores a file that is not freshclam's", stateFile(1_800_000_000, 1, "SomethingElse"), undefined],
    ["ignores a short file", stateFile(1_800_000_000).subarray(0, 40), undefined],
  ];
  for (const [what, bytes, expected] of table)
    it(what, () => assert.equal(coolDownUntil(bytes)?.toISOString(), expected));
});
