import assert from "node:assert/strict";
import { debFileName, parseControl, parseDepends, parsePolicy } from "../../layers/apt";
import { isRevisionOf } from "../../layers/packages";
import { rankDependencies } from "../../layers/resolve";

const POLICY = `clamav:arm64:
  Installed: (none)
  Candidate: 1.4.6+dfsg-0+deb12u1
  Version table:
     1.4.6+dfsg-0+deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main arm64 Packages
     1.4.3+dfsg-1~deb12u2 500
        500 http://deb.debian.org/debian bookworm/main arm64 Packages
ca-certificates:
  Installed: 20230311+deb12u1
  Candidate: 20250419~deb12u2
  Version table:
     20250419~deb12u2 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
 *** 20230311+deb12u1 100
        100 /var/lib/dpkg/status
debconf:arm64:
  Installed: (none)
  Candidate: (none)
  Version table:
`;

describe("apt output parsing", () => {
  it("reads candidates and the versions apt can download, newest first, from apt-cache policy", () => {
    const policy = parsePolicy(POLICY);
    assert.deepEqual(policy.get("clamav"), {
      candidate: "1.4.6+dfsg-0+deb12u1",
      downloadable: ["1.4.6+dfsg-0+deb12u1", "1.4.3+dfsg-1~deb12u2"],
    });
  });

  it("does not count a version known only from dpkg's status as downloadable", () => {
    assert.deepEqual(parsePolicy(POLICY).get("ca-certificates")?.downloadable, ["20250419~deb12u2"]);
  });

  it("leaves a package without a candidate without one", () => {
    assert.equal(parsePolicy(POLICY).get("debconf")?.candidate, undefined);
  });

  const depends: Array<[string, string[]]> = [
    ["libc6 (>= 2.34), zlib1g (>= 1:1.2.3.4)", ["libc6", "zlib1g"]],
    [
      "clamav-freshclam (>= 1.4.6+dfsg) | clamav-data, debconf (>= 0.5) | debconf-2.0",
      ["clamav-freshclam", "debconf"],
    ],
    ["perl:any, libfoo1 [amd64]", ["perl", "libfoo1"]],
    ["", []],
  ];
  for (const [field, names] of depends) {
    it(`takes the first alternative of each relation in "${field}"`, () => {
      assert.deepEqual(parseDepends(field), names);
    });
  }

  it("joins continuation lines of a control file field", () => {
    const control = parseControl("Package: libfoo1\nDepends: libc6 (>= 2.34),\n zlib1g\nVersion: 1.0-1\n");
    assert.equal(control.get("Depends"), "libc6 (>= 2.34), zlib1g");
    assert.equal(control.get("Version"), "1.0-1");
  });

  it("names a package file as apt-get download does, the epoch's colon written %3a", () => {
    assert.equal(
      debFileName({ name: "zlib1g", arch: "arm64", version: "1:1.2.13.dfsg-1" }),
      "zlib1g_1%3a1.2.13.dfsg-1_arm64.deb",
    );
  });
});

describe("version pinning", () => {
  const cases: Array<[string, boolean]> = [
    ["1.4.6+dfsg-0+deb12u1", true],
    ["1.4.6-1", true],
    ["1:1.4.6~rc1-1", true],
    ["1.4.60-1", false],
    ["1.4.3+dfsg-1~deb12u2", false],
  ];
  for (const [version, expected] of cases) {
    it(`${expected ? "takes" : "refuses"} ${version} as a Debian revision of ClamAV 1.4.6`, () => {
      assert.equal(isRevisionOf(version, "1.4.6"), expected);
    });
  }
});

describe("dependency ranking", () => {
  const depends = ["adduser", "debconf", "libc6", "libcurl4", "libssl3", "libsystemd0", "zlib1g"];

  it("searches library packages named like the soname first, other library packages next, the rest last", () => {
    assert.deepEqual(rankDependencies(depends, "libsystemd.so.0"), [
      ["libsystemd0"],
      ["libc6", "libcurl4", "libssl3", "zlib1g"],
      ["adduser", "debconf"],
    ]);
  });

  it("still finds libcrypto among library packages although libssl3 ships it", () => {
    assert.equal(rankDependencies(depends, "libcrypto.so.3")[0].includes("libssl3"), true);
  });
});
