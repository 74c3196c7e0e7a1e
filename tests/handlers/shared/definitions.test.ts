import assert from "node:assert/strict";
import { isDatabaseFile } from "../../../handlers/shared/definitions";

describe("handlers/shared/definitions: isDatabaseFile", () => {
  const table: Array<[string, boolean]> = [
    ["main.cvd", true],
    ["daily.cld", true],
    ["bytecode.cvd", true],
    ["custom.hdb", true],
    ["custom.ndb", true],
    ["rules.yara", true],
    ["allow.fp", true],
    ["freshclam.dat", false],
    ["daily.cld.partial", false],
    [".hidden.ndb", false],
    ["tmp.1234abcd", false],
    ["mirrors.dat", false],
  ];
  for (const [name, expected] of table)
    it(`${expected ? "counts" : "leaves out"} ${name}`, () => assert.equal(isDatabaseFile(name), expected));
});
