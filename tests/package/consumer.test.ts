import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ArtifactPackages, PACKAGE_HANDLERS_DIR, PACKAGE_LAYERS_DIR } from "../../components/artifacts";
import { HandlerNames, handlerBundleDir } from "../../core/artifacts";
import { LAYER_BUILD_DIR, LambdaArchitectures, LayerKinds, layerZipName } from "../../core/layer-layout";
import { artifactPackageDir, type PackedTarball, packAll, requiredPackages } from "../../scripts/package";
import { MOCK_RUNNER_JS, PROGRAM_INDEX_TS, PROGRAM_PACKAGE_JSON, PROGRAM_TSCONFIG } from "./consumer-program";

const REPO = realpathSync(path.resolve(__dirname, "../.."));
const MB = 1e6;

/** The repository's installed version of a package, so the program installs it from npm's cache. */
const versionOf = (name: string) =>
  JSON.parse(readFileSync(path.join(REPO, "node_modules", name, "package.json"), "utf8")).version as string;

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Runs a command with none of the calling npm's settings (`npm test` sets npm_config_* for its children). */
function run(command: string, args: string[], cwd: string): string {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
  );
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `${command} ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const isInside = (dir: string, file: string) => !path.relative(dir, file).startsWith("..");

/** One asset or archive an input of the program's resources names. */
interface DeployedFile {
  type: string;
  name: string;
  property: string;
  path: string;
}

describe("the npm package, packed and installed into a fresh program outside the repository", function () {
  // Packing 130 MB of artefacts, installing them and @pulumi/aws, and type-checking: minutes, not seconds.
  this.timeout(900_000);
  let tmp: string;
  let program: string;
  let tarballs: PackedTarball[];
  const tarball = (name: string) => {
    const t = tarballs.find((x) => x.name === name);
    assert.ok(t, `no tarball for ${name}`);
    return t;
  };

  before(() => {
    tmp = mkdtempSync(path.join(realpathSync(os.tmpdir()), "bucketwarden-package-"));
    assert.ok(!isInside(REPO, tmp), `${tmp} is inside the repository`);
    tarballs = packAll(path.join(tmp, "tarballs"));
    for (const t of tarballs)
      console.log(
        `      ${path.basename(t.file)}: ${(t.bytes / MB).toFixed(1)} MB packed, ` +
          `${(t.unpackedBytes / MB).toFixed(1)} MB unpacked, ${t.entries} files`,
      );
    program = path.join(tmp, "program");
    mkdirSync(program);
    writeFileSync(path.join(program, "package.json"), PROGRAM_PACKAGE_JSON);
    writeFileSync(path.join(program, "tsconfig.json"), PROGRAM_TSCONFIG);
    writeFileSync(path.join(program, "index.ts"), PROGRAM_INDEX_TS);
    writeFileSync(path.join(program, "run-under-mocks.js"), MOCK_RUNNER_JS);
    const peers = ["@pulumi/pulumi", "@pulumi/aws", "typescript", "@types/node"].map(
      (p) => `${p}@${versionOf(p)}`,
    );
    run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        ...tarballs.map((t) => t.file),
        ...peers,
      ],
      program,
    );
  });

  after(() => {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it("ships only the compiled library in the main package: no local mode, benchmark, tests or sources", () => {
    const [listing] = JSON.parse(run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], REPO));
    const files: string[] = listing.files.map((f: { path: string }) => f.path);
    // npm packs every "bin" target whatever `files` says: the checkout's command launcher.
    const bins: string[] = Object.values(
      JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).bin ?? {},
    );
    const besides = ["package.json", "README.md", ...bins];
    assert.deepEqual(
      files.filter((f) => !f.startsWith("dist/") && !besides.includes(f)),
      [],
    );
    for (const folder of [
      "local/",
      "bench/",
      "tests/",
      "scripts/",
      "handlers/",
      "layers/",
      "policies/",
      "cli/",
    ])
      assert.deepEqual(
        files.filter((f) => (f.startsWith(folder) && !bins.includes(f)) || f.startsWith(`dist/${folder}`)),
        [],
        folder,
      );
    for (const entry of ["dist/components/index.js", "dist/components/index.d.ts", "dist/core/tags.d.ts"])
      assert.ok(files.includes(entry), entry);
    assert.ok(
      !files.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
      "TypeScript sources in the tarball",
    );
  });

  it("keeps the main tarball small and puts each architecture's artefacts in its own package", () => {
    assert.ok(
      tarball("bucketwarden").bytes < 1 * MB,
      `bucketwarden is ${tarball("bucketwarden").bytes} bytes`,
    );
    for (const arch of LambdaArchitectures) {
      const files = run("tar", ["tzf", tarball(ArtifactPackages[arch]).file], tmp)
        .trim()
        .split("\n")
        .sort();
      assert.deepEqual(
        files.filter((f) => f.endsWith(".js") || f.endsWith(".zip")),
        [
          ...HandlerNames.map((h) => `package/${PACKAGE_HANDLERS_DIR}/${h}/index.js`),
          ...LayerKinds.map((k) => `package/${PACKAGE_LAYERS_DIR}/${layerZipName(k, arch)}`),
        ].sort(),
      );
    }
  });

  it("packs the artefacts byte for byte as built, and to the same tarball every time", () => {
    for (const arch of LambdaArchitectures) {
      const dir = artifactPackageDir(arch);
      for (const h of HandlerNames)
        assert.equal(
          sha256(path.join(dir, PACKAGE_HANDLERS_DIR, h, "index.js")),
          sha256(path.join(handlerBundleDir(REPO, h), "index.js")),
        );
      for (const k of LayerKinds)
        assert.equal(
          sha256(path.join(dir, PACKAGE_LAYERS_DIR, layerZipName(k, arch))),
          sha256(path.join(REPO, LAYER_BUILD_DIR, layerZipName(k, arch))),
        );
    }
    const again = path.join(tmp, "again");
    mkdirSync(again);
    run("npm", ["pack", "--workspace", "artifacts/arm64", "--pack-destination", again], REPO);
    const first = tarball(ArtifactPackages.arm64);
    assert.equal(sha256(path.join(again, path.basename(first.file))), first.sha256);
  });

  it("needs nothing installed at run time but its Pulumi peers", () => {
    const installed = path.join(program, "node_modules", "bucketwarden");
    const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
    assert.deepEqual(manifest.dependencies ?? {}, {});
    assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), ["@pulumi/aws", "@pulumi/pulumi"]);
    assert.deepEqual(requiredPackages(path.join(installed, "dist")), ["@pulumi/aws", "@pulumi/pulumi"]);
    // One copy of the SDK: the program's, which the components register their resources with.
    assert.ok(!existsSync(path.join(installed, "node_modules")), "bucketwarden brought its own node_modules");
  });

  it("installs each command package.json declares as one that says it runs from a checkout", () => {
    const names = Object.keys(JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).bin ?? {});
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
    );
    for (const name of names) {
      const command = path.join(program, "node_modules", ".bin", name);
      assert.ok(existsSync(command), `npm did not install the ${name} command`);
      const result = spawnSync(process.execPath, [command, "--help"], {
        cwd: program,
        env,
        encoding: "utf8",
      });
      assert.equal(result.status, 1, result.stdout);
      assert.match(result.stderr, /runs from a checkout of the bucketwarden repository/);
    }
  });

  it("compiles a program that uses the components, the access-rule function and a core type with tsc --strict", () => {
    run(
      process.execPath,
      [path.join(program, "node_modules/typescript/bin/tsc"), "--strict", "-p", program],
      program,
    );
    assert.ok(existsSync(path.join(program, "bin/index.js")));
  });

  it("deploys, under Pulumi's mocks, only files that exist inside the installed artefact packages", () => {
    const lines = run(process.execPath, ["run-under-mocks.js"], program).trim().split("\n");
    const summary = JSON.parse(lines.pop() ?? "{}");
    const deployed: DeployedFile[] = lines.map((l) => JSON.parse(l));
    assert.ok(summary.resources > 50, `only ${summary.resources} resources registered`);
    const modules = realpathSync(path.join(program, "node_modules"));
    for (const f of deployed) {
      const where = `${f.type} ${f.name}${f.property}: ${f.path}`;
      assert.ok(existsSync(f.path), `missing: ${where}`);
      const real = realpathSync(f.path);
      assert.ok(!isInside(REPO, real), `inside the repository: ${where}`);
      const arch = LambdaArchitectures.find((a) => isInside(path.join(modules, ArtifactPackages[a]), real));
      assert.ok(arch !== undefined, `not in an installed artefact package: ${where}`);
      assert.equal(f.name.startsWith("x86-") ? "x86_64" : "arm64", arch, where);
    }
    // Every artefact of both architectures: two handler bundles and two layers each.
    const names = new Set(deployed.map((f) => path.relative(modules, realpathSync(f.path))));
    const expected = LambdaArchitectures.flatMap((a) => [
      ...HandlerNames.map((h) => path.join(ArtifactPackages[a], PACKAGE_HANDLERS_DIR, h)),
      ...LayerKinds.map((k) => path.join(ArtifactPackages[a], PACKAGE_LAYERS_DIR, layerZipName(k, a))),
    ]);
    assert.deepEqual([...names].sort(), expected.sort());
  });
});
