import assert from "node:assert/strict";
import * as path from "node:path";
import {
  type ArtifactLookup,
  artifactSource,
  handlerCodeDir,
  layerZipPath,
} from "../../components/artifacts";
import { ConfigError } from "../../core/errors";

const REPO = path.resolve(__dirname, "../..");

/** A consumer's program with the artefact packages of `installed` architectures in node_modules. */
function installed(...archs: string[]): ArtifactLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    checkoutRoot: "/app/node_modules/bucketwarden/dist",
    exists: () => false,
    resolve: (request) => {
      asked.push(request);
      const arch = archs.find((a) => request === `@bucketwarden/artifacts-${a}/package.json`);
      if (arch === undefined)
        throw Object.assign(new Error(`Cannot find module '${request}'`), { code: "MODULE_NOT_FOUND" });
      return `/app/node_modules/@bucketwarden/artifacts-${arch}/package.json`;
    },
  };
}

describe("components/artifacts: where the deployed code comes from", () => {
  it("uses the checkout's .build/ when run from the repository", () => {
    assert.deepEqual(artifactSource("arm64"), { kind: "checkout", root: REPO });
    assert.equal(handlerCodeDir("x86_64", "scanner"), `${REPO}/.build/handlers/scanner`);
    assert.equal(layerZipPath("freshclam", "x86_64"), `${REPO}/.build/layers/freshclam-x86_64.zip`);
  });

  const cases: Array<[string, () => string, string]> = [
    [
      "the arm64 scanner bundle",
      () => handlerCodeDir("arm64", "scanner", installed("arm64")),
      "/app/node_modules/@bucketwarden/artifacts-arm64/handlers/scanner",
    ],
    [
      "the x86_64 updater bundle",
      () => handlerCodeDir("x86_64", "updater", installed("x86_64")),
      "/app/node_modules/@bucketwarden/artifacts-x86_64/handlers/updater",
    ],
    [
      "the arm64 scanner layer",
      () => layerZipPath("scanner", "arm64", installed("arm64", "x86_64")),
      "/app/node_modules/@bucketwarden/artifacts-arm64/layers/scanner-arm64.zip",
    ],
    [
      "the x86_64 freshclam layer",
      () => layerZipPath("freshclam", "x86_64", installed("arm64", "x86_64")),
      "/app/node_modules/@bucketwarden/artifacts-x86_64/layers/freshclam-x86_64.zip",
    ],
  ];
  for (const [what, resolve, expected] of cases)
    it(`finds ${what} in the installed artefact package`, () => assert.equal(resolve(), expected));

  it("asks for the artefact package of the architecture deployed, not of the machine", () => {
    const lookup = installed("arm64", "x86_64");
    layerZipPath("scanner", "x86_64", lookup);
    assert.deepEqual(lookup.asked, ["@bucketwarden/artifacts-x86_64/package.json"]);
  });

  it("names the package to install when an architecture's artefacts are missing", () => {
    assert.throws(
      () => layerZipPath("scanner", "x86_64", installed("arm64")),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.setting === "architecture" &&
        e.message.includes("npm install @bucketwarden/artifacts-x86_64") &&
        e.cause instanceof Error,
    );
  });
});
