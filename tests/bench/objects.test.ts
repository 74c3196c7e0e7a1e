import assert from "node:assert/strict";
import { eicarOffset, objectChunks } from "../../bench/objects";
import { EICAR } from "../../local/signatures";

const bytesOf = (spec: Parameters<typeof objectChunks>[0], chunk?: number) =>
  Buffer.concat([...objectChunks(spec, chunk)]);

describe("bench/objects", () => {
  it("makes exactly the requested number of bytes", () => {
    assert.equal(
      bytesOf({ bytes: 1024 * 1024 + 3, infected: false, seed: "s" }, 4096).length,
      1024 * 1024 + 3,
    );
  });

  it("makes the same bytes from the same seed, whatever the chunk size", () => {
    const spec = { bytes: 10_000, infected: true, seed: "s" };
    assert.deepEqual(bytesOf(spec, 1000), bytesOf(spec, 4096));
  });

  it("makes different bytes for different samples, so clamd's clean cache never answers", () => {
    assert.notDeepEqual(
      bytesOf({ bytes: 1024, infected: false, seed: "1" }),
      bytesOf({ bytes: 1024, infected: false, seed: "2" }),
    );
  });

  it("embeds EICAR in the middle of an infected object, even across a chunk boundary", () => {
    const bytes = 1024;
    const at = eicarOffset(bytes);
    for (const chunk of [1024, 500, 7]) {
      const content = bytesOf({ bytes, infected: true, seed: "x" }, chunk);
      assert.equal(content.subarray(at, at + EICAR.length).toString("latin1"), EICAR, `chunk ${chunk}`);
    }
  });

  it("leaves EICAR out of clean objects", () => {
    assert.ok(!bytesOf({ bytes: 4096, infected: false, seed: "x" }).includes(Buffer.from(EICAR, "latin1")));
  });

  it("refuses an infected object too small to hold EICAR", () => {
    assert.throws(() => eicarOffset(10), RangeError);
  });
});
