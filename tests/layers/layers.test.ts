import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  DynamicLoaders,
  LambdaArchitectures,
  LayerKinds,
  LayerTools,
  layerPaths,
  layerZipName,
  toolCommand,
} from "../../core/layer-layout";
import { type BuiltLayer, buildLayers, LAMBDA_UNZIPPED_LIMIT } from "../../layers/build";
import { ElfMachines, isElf, readElf } from "../../layers/elf";
import type { LayerManifest } from "../../layers/stage";
import { directoryEntries, writeZip } from "../../layers/zip";
import { BUILD_TIMEOUT_MS, layersBuilt } from "./support/build";

/** Every regular file under `dir`, relative to it. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((item) => {
    const name = prefix ? `${prefix}/${item.name}` : item.name;
    return item.isDirectory() ? filesUnder(dir, name) : [name];
  });
}

describe("layer build", () => {
  let layers: BuiltLayer[];

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    layers = await layersBuilt();
  });

  it("builds a freshclam and a scanner layer for x86_64 and arm64, zipped and extracted", () => {
    const built = layers.map((l) => `${l.kind}-${l.arch}`).sort();
    const expected = LayerKinds.flatMap((k) => LambdaArchitectures.map((a) => `${k}-${a}`)).sort();
    assert.deepEqual(built, expected);
    for (const layer of layers) {
      assert.equal(layer.zip.endsWith(`/.build/layers/${layerZipName(layer.kind, layer.arch)}`), true);
      assert.equal(statSync(layer.dir).isDirectory(), true);
    }
  });

  it("keeps every layer under Lambda's 250 MiB unzipped limit", () => {
    for (const layer of layers) {
      assert.ok(
        layer.unzippedBytes < LAMBDA_UNZIPPED_LIMIT,
        `${layer.kind}-${layer.arch}: ${layer.unzippedBytes}`,
      );
    }
  });

  it("puts the tools in bin/ and everything else under clamav/, nothing in /opt/lib", () => {
    for (const layer of layers) {
      assert.deepEqual(readdirSync(layer.dir).sort(), ["bin", "clamav"]);
      assert.deepEqual(readdirSync(join(layer.dir, "bin")).sort(), [...LayerTools[layer.kind]].sort());
    }
  });

  it("patches each tool to start with the layer's loader at /opt and find libraries beside it", () => {
    for (const layer of layers) {
      for (const tool of LayerTools[layer.kind]) {
        const elf = readElf(readFileSync(join(layer.dir, "bin", tool)));
        assert.equal(elf.interpreter, `/opt/clamav/lib/${DynamicLoaders[layer.arch]}`);
        assert.equal(elf.runpath, "$ORIGIN/../clamav/lib");
      }
    }
  });

  it("ships every library that any program or library in the layer needs, built for the layer's machine", () => {
    for (const layer of layers) {
      const lib = layerPaths(layer.dir, layer.arch).lib;
      const shipped = new Set(readdirSync(lib));
      assert.ok(shipped.has(DynamicLoaders[layer.arch]), "the dynamic loader");
      for (const file of filesUnder(layer.dir)) {
        const data = readFileSync(join(layer.dir, file));
        if (!isElf(data)) continue;
        const elf = readElf(data);
        assert.equal(elf.machine, ElfMachines[layer.arch], `${layer.arch} ${file}`);
        // iconv modules find their helpers (libJIS.so...) beside themselves, through RUNPATH $ORIGIN.
        const beside = elf.runpath === "$ORIGIN" ? readdirSync(join(layer.dir, dirname(file))) : [];
        for (const needed of elf.needed) {
          assert.ok(
            shipped.has(needed) || beside.includes(needed),
            `${layer.kind}-${layer.arch} ${file} needs ${needed}`,
          );
        }
      }
    }
  });

  it("records ClamAV 1.4.6 and the exact Debian package versions in clamav/layer.json", () => {
    for (const layer of layers) {
      const manifest = JSON.parse(
        readFileSync(layerPaths(layer.dir, layer.arch).manifest, "utf8"),
      ) as LayerManifest;
      assert.equal(manifest.clamav, "1.4.6");
      assert.equal(manifest.architecture, layer.arch);
      const versions = new Map(manifest.packages.map((p) => [p.name, p.version]));
      assert.match(versions.get("libclamav12") ?? "", /^1\.4\.6\+dfsg-/);
      assert.match(versions.get("libc6") ?? "", /^2\.36-/);
      for (const soname of Object.keys(manifest.libraries)) {
        assert.ok(versions.has(manifest.libraries[soname]), `${soname} comes from a recorded package`);
      }
    }
  });

  it("gives the freshclam layer a CA bundle and a default freshclam.conf writing under /tmp", () => {
    for (const layer of layers.filter((l) => l.kind === "freshclam")) {
      const paths = layerPaths(layer.dir, layer.arch);
      const certificates = readFileSync(paths.caBundle, "utf8").match(/-----BEGIN CERTIFICATE-----/g) ?? [];
      assert.ok(certificates.length > 100, `${certificates.length} certificates`);
      assert.match(readFileSync(paths.freshclamConf, "utf8"), /^DatabaseDirectory \/tmp\//m);
    }
  });

  it("gives the scanner layer glibc's iconv modules and their configuration, where toolCommand points GCONV_PATH", () => {
    for (const layer of layers.filter((l) => l.kind === "scanner")) {
      const gconv = layerPaths(layer.dir, layer.arch).gconv;
      const modules = readdirSync(gconv);
      for (const name of [
        "gconv-modules",
        "gconv-modules.cache",
        "UTF-16.so",
        "UTF-32.so",
        "CP1252.so",
        "SJIS.so",
      ]) {
        assert.ok(modules.includes(name), `${layer.arch} ${name}`);
      }
      assert.equal(toolCommand(layer.dir, layer.arch, "clamscan", []).env.GCONV_PATH, gconv);
    }
  });

  it("zips a layer to the same bytes every time: fixed timestamps, order and permissions", async function () {
    // Compressing 300 MiB takes 15-20 s on two idle cores.
    this.timeout(180_000);
    for (const layer of layers) {
      const again = await writeZip(directoryEntries(layer.dir));
      assert.ok(again.equals(readFileSync(layer.zip)), `${layer.kind}-${layer.arch}`);
    }
  });

  it("skips every layer whose package versions and build code are unchanged", async function () {
    this.timeout(120_000);
    const again = await buildLayers({ log: () => {} });
    assert.deepEqual(
      again.filter((l) => !l.upToDate).map((l) => `${l.kind}-${l.arch}`),
      [],
    );
  });

  it("rebuilds a layer from scratch to the same zip bytes", async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    // arm64: the x86_64 layers may be running (handler tests, local mode) while this replaces the folder.
    const scanner = layers.find((l) => l.kind === "scanner" && l.arch === "arm64");
    assert.ok(scanner);
    const before = readFileSync(scanner.zip);
    const [rebuilt] = await buildLayers({
      log: () => {},
      force: true,
      kinds: ["scanner"],
      architectures: ["arm64"],
    });
    assert.equal(rebuilt.upToDate, false);
    assert.ok(readFileSync(rebuilt.zip).equals(before));
  });
});
