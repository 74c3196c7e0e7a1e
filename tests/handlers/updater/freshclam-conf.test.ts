import assert from "node:assert/strict";
import { cvdVersion } from "../../../handlers/updater/database-files";
import { freshclamArgs, isCoolDown, renderFreshclamConf } from "../../../handlers/updater/freshclam-conf";

const base = {
  databaseDir: "/tmp/db",
  databaseOwner: "sbx_user1051",
  officialDatabases: true,
  databaseMirrors: ["database.clamav.net"],
  privateMirrors: [] as string[],
  customDatabaseUrls: [] as string[],
};
const lines = (o: Partial<typeof base>) =>
  renderFreshclamConf({ ...base, ...o })
    .trim()
    .split("\n");

describe("handlers/updater/freshclam-conf", () => {
  it("writes into the work folder as the running user, testing each new database", () => {
    const conf = lines({});
    assert.ok(conf.includes("DatabaseDirectory /tmp/db"));
    assert.ok(conf.includes("DatabaseOwner sbx_user1051"));
    assert.ok(conf.includes("TestDatabases yes"));
  });

  it("uses the official mirrors by default", () => {
    assert.ok(lines({}).includes("DatabaseMirror database.clamav.net"));
    assert.ok(!lines({}).some((l) => l.startsWith("ExcludeDatabase")));
  });

  it("uses private mirrors instead of the official ones when given", () => {
    const conf = lines({ privateMirrors: ["https://a.example/clamav", "https://b.example/clamav"] });
    assert.deepEqual(
      conf.filter((l) => /Mirror /.test(l)),
      ["PrivateMirror https://a.example/clamav", "PrivateMirror https://b.example/clamav"],
    );
  });

  it("excludes main, daily and bytecode when the official databases are off", () => {
    const conf = lines({ officialDatabases: false, customDatabaseUrls: ["http://h/x.ndb"] });
    assert.deepEqual(
      conf.filter((l) => l.startsWith("ExcludeDatabase")),
      ["ExcludeDatabase main", "ExcludeDatabase daily", "ExcludeDatabase bytecode"],
    );
    assert.ok(conf.includes("DatabaseCustomURL http://h/x.ndb"));
  });

  it("turns the DNS version check off only without the official databases", () => {
    assert.ok(freshclamArgs("/c", { officialDatabases: false }).includes("--no-dns"));
    assert.ok(!freshclamArgs("/c", { officialDatabases: true }).includes("--no-dns"));
  });

  const coolDowns: Array<[string, boolean]> = [
    ["You are on cool-down until after: 2026-11-25 13:00:00", true],
    ["You are still on cool-down until after: 2026-11-25 13:00:00", true],
    ["Cool-down expired, ok to try again.", false],
    ["daily.cld updated (version: 27000)", false],
  ];
  for (const [output, expected] of coolDowns)
    it(`${expected ? "recognises" : "does not mistake"} "${output}" as a cool-down`, () =>
      assert.equal(isCoolDown(output), expected));

  it("reads a CVD header's version", () => {
    assert.equal(
      cvdVersion("ClamAV-VDB:16 Sep 2021 08-32 -0400:62:6647427:90:6f1...:sig:builder:1631795552"),
      62,
    );
    assert.equal(cvdVersion("Bucketwarden.Test.Eicar:0:*:58354f"), undefined);
  });
});
