import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectResult } from "../../../handlers/scanner/results";
import type { Scanner } from "../../../handlers/scanner/scanner";
import { tagsOf, upload } from "../support/buckets";
import { s3Event } from "../support/events";
import { RecordingLog, scannedUploadBucket } from "../support/handlers";
import { RAR4_MARKER, RAR5_SIGNATURE, rar4Of, rar5Of } from "../support/rar";
import { EICAR, TESTFILES_DIR } from "../support/signatures";

/** clam.exe: the tests' `.hdb` finds it only as a whole file, so only when the engine unpacks it. */
const CLAM_EXE = readFileSync(join(TESTFILES_DIR, "clam.exe"));
const INFECTED = "infected:Bucketwarden.Test";
const ZIP64 = "unscannable:Bucketwarden.Unscannable.Zip64LocalHeader.UNOFFICIAL";
const RAR4 = "unscannable:Bucketwarden.Unscannable.Rar4.UNOFFICIAL";
const RAR5 = "unscannable:Bucketwarden.Unscannable.Rar5.UNOFFICIAL";

/** Runs `command` in a scratch folder holding `files`, its stdout into a file (seekable); returns `read`. */
function inFolder(
  files: Record<string, Buffer>,
  command: string,
  args: string[],
  options: { input?: Buffer; read: string },
): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "bw-unscannable-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const stdout = openSync(join(dir, "stdout"), "w");
    try {
      execFileSync(command, args, { cwd: dir, input: options.input, stdio: ["pipe", stdout, "pipe"] });
    } finally {
      closeSync(stdout);
    }
    return readFileSync(join(dir, options.read));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The issue's `... | zip -q - - > s.zip`: Debian's zip reading a pipe and writing a file. It seeks back
 * to fill in the sizes, in a ZIP64 local header with no data descriptor. (Writing to a pipe instead,
 * zip adds a data descriptor, and the engine inflates the member.)
 */
const zipFromPipe = (content: Buffer) =>
  inFolder({}, "zip", ["-q", "-", "-"], { input: content, read: "stdout" });
/** Debian's zip of a file, as anyone zips on a disk. */
const zipOfFile = (name: string, content: Buffer, flags: string[] = []) =>
  inFolder({ [name]: content }, "zip", ["-q", ...flags, "out.zip", name], { read: "out.zip" });
/** Python's zipfile writing to a stream it cannot seek: data descriptors, as Java and browsers do. */
function pythonStreamingZip(content: Buffer, zip64: boolean): Buffer {
  const script = [
    "import io, sys, zipfile",
    "class Pipe(io.RawIOBase):",
    "    def writable(self): return True",
    "    def write(self, b): return sys.stdout.buffer.write(b)",
    "with zipfile.ZipFile(Pipe(), 'w', compression=zipfile.ZIP_DEFLATED) as z:",
    `    with z.open('member.bin', 'w', force_zip64=${zip64 ? "True" : "False"}) as w: w.write(sys.stdin.buffer.read())`,
  ].join("\n");
  return execFileSync("python3", ["-c", script], { input: content, maxBuffer: 64 << 20 });
}
/** `bsdtar -tf` of an archive: libarchive's word that it is a real one, and what it holds. */
const bsdtarList = (archive: Buffer) =>
  execFileSync("bsdtar", ["-tf", "-"], { input: archive }).toString("utf8").trim().split("\n");

describe("scanner: what the engine cannot look inside is never clean", () => {
  let scanner: Scanner;
  let bucket: string;
  const log = new RecordingLog();

  before(async function () {
    this.timeout(180_000);
    ({ bucket, scanner } = await scannedUploadBucket({}, { log }));
  });
  after(() => scanner?.close());

  async function verdictOf(key: string, body: Buffer): Promise<Record<string, string>> {
    await upload(bucket, key, body);
    const report = (await scanner.handle(s3Event({ bucket, key }))) as { results: ObjectResult[] };
    assert.equal(report.results[0].outcome, "tagged", key);
    return tagsOf(bucket, key);
  }

  describe("streamed zips", () => {
    const eicarAfterZeros = Buffer.concat([Buffer.alloc(1024), EICAR]);

    it("tags EICAR zipped from a pipe (ZIP64 local header) unscannable, and logs why", async () => {
      const tags = await verdictOf("zip/streamed-eicar.zip", zipFromPipe(eicarAfterZeros));
      assert.equal(tags.Infected, "true");
      assert.equal(tags.ScanResult, ZIP64);
      const line = log.messages("object not fully scanned").find((l) => l.key === "zip/streamed-eicar.zip");
      assert.ok(line, "the reason is logged");
      assert.match(String(line.reason), /ZIP64 sizes in its local header/);
    });

    it("tags clean content zipped from a pipe unscannable too: the engine never inflated it", async () => {
      const tags = await verdictOf("zip/streamed-clean.zip", zipFromPipe(Buffer.from("hello\n")));
      assert.equal(tags.ScanResult, ZIP64);
    });

    it("tags a zip with ZIP64 forced on a seekable file unscannable, since the engine skips it alike", async () => {
      const tags = await verdictOf("zip/forced64.zip", zipOfFile("clam.exe", CLAM_EXE, ["-fz"]));
      assert.equal(tags.ScanResult, ZIP64);
    });

    it("tags a streamed zip nested in an ordinary zip unscannable", async () => {
      const inner = zipFromPipe(eicarAfterZeros);
      // Named .bin: zip stores members named .zip as they are instead of deflating them.
      const outer = zipOfFile("inner.bin", inner);
      assert.ok(!outer.includes(inner.subarray(0, 22)), "the inner zip is deflated, not stored");
      assert.equal((await verdictOf("zip/nested-streamed.zip", outer)).ScanResult, ZIP64);
    });

    const ordinary: Array<[string, () => Buffer]> = [
      ["Debian's zip of a file", () => zipOfFile("clam.exe", CLAM_EXE)],
      ["Debian's zip of a file, stored", () => zipOfFile("clam.exe", CLAM_EXE, ["-0"])],
      ["Python's zipfile writing to a pipe (data descriptor)", () => pythonStreamingZip(CLAM_EXE, false)],
      [
        "Python's zipfile writing ZIP64 to a pipe (data descriptor)",
        () => pythonStreamingZip(CLAM_EXE, true),
      ],
    ];
    for (const [what, make] of ordinary) {
      it(`finds malware inside ${what}, as infected`, async () => {
        const tags = await verdictOf(`zip/ordinary-${what.replace(/\W+/g, "-")}`, make());
        assert.ok(tags.ScanResult.startsWith(INFECTED), tags.ScanResult);
      });
    }

    it("keeps clean ordinary zips clean", async () => {
      const hello = Buffer.from("hello\n".repeat(200));
      for (const [key, zip] of [
        ["zip/clean-file.zip", zipOfFile("hello.txt", hello)],
        ["zip/clean-python-stream.zip", pythonStreamingZip(hello, false)],
        ["zip/clean-python-stream64.zip", pythonStreamingZip(hello, true)],
      ] as const) {
        const tags = await verdictOf(key, zip);
        assert.equal(tags.Infected, "false", `${key}: ${tags.ScanResult}`);
      }
    });
  });

  describe("zip compression methods", () => {
    /** Python's zipfile with a given compression: LZMA (14) or bzip2 (12). */
    const pythonZip = (method: "ZIP_LZMA" | "ZIP_BZIP2", content: Buffer) =>
      execFileSync(
        "python3",
        [
          "-c",
          [
            "import io, sys, zipfile",
            "out = io.BytesIO()",
            `with zipfile.ZipFile(out, 'w', compression=zipfile.${method}) as z: z.writestr('clam.exe', sys.stdin.buffer.read())`,
            "sys.stdout.buffer.write(out.getvalue())",
          ].join("\n"),
        ],
        { input: content },
      );
    /** A stored zip relabelled with another method: the bytes stay readable, the engine skips it. */
    const relabelled = (method: number) => {
      const zip = Buffer.from(zipOfFile("clam.exe", CLAM_EXE, ["-0"]));
      zip.writeUInt16LE(method, 8);
      zip.writeUInt16LE(method, zip.indexOf(Buffer.from("504b0102", "hex")) + 10);
      return zip;
    };
    const METHOD = "unscannable:Bucketwarden.Unscannable.ZipMethod.UNOFFICIAL";

    it("tags malware in an LZMA-compressed zip member unscannable, not clean", async () => {
      const tags = await verdictOf("method/lzma.zip", pythonZip("ZIP_LZMA", CLAM_EXE));
      assert.equal(tags.ScanResult, METHOD);
      const line = log.messages("object not fully scanned").find((l) => l.key === "method/lzma.zip");
      assert.match(String(line?.reason), /method the engine cannot decompress/);
    });

    for (const [name, method] of [
      ["zstd", 93],
      ["PPMd", 98],
      ["xz", 95],
    ] as const) {
      it(`tags a zip member marked ${name} (method ${method}) unscannable`, async () => {
        assert.equal((await verdictOf(`method/${name}.zip`, relabelled(method))).ScanResult, METHOD);
      });
    }

    it("still finds malware in a bzip2 member, which the engine decompresses", async () => {
      const tags = await verdictOf("method/bzip2.zip", pythonZip("ZIP_BZIP2", CLAM_EXE));
      assert.ok(tags.ScanResult.startsWith(INFECTED), tags.ScanResult);
    });
  });

  describe("RAR", () => {
    it("writes real RAR archives for these tests (bsdtar reads them back)", () => {
      assert.deepEqual(bsdtarList(rar4Of("clam.exe", CLAM_EXE)), ["clam.exe"]);
      assert.deepEqual(bsdtarList(rar5Of("clam.exe", CLAM_EXE)), ["clam.exe"]);
      const back = execFileSync("bsdtar", ["-xOf", "-"], { input: rar5Of("clam.exe", CLAM_EXE) });
      assert.ok(back.equals(CLAM_EXE));
    });

    const rars: Array<[string, Buffer, string]> = [
      ["a RAR 4 holding malware", rar4Of("clam.exe", CLAM_EXE), RAR4],
      ["a RAR 5 holding malware", rar5Of("clam.exe", CLAM_EXE), RAR5],
      ["a RAR 4 holding a harmless file", rar4Of("hello.txt", Buffer.from("hello\n")), RAR4],
      ["a RAR 5 holding a harmless file", rar5Of("hello.txt", Buffer.from("hello\n")), RAR5],
    ];
    for (const [what, rar, result] of rars) {
      it(`tags ${what} unscannable, never clean`, async () => {
        const tags = await verdictOf(`rar/${what.replace(/\W+/g, "-")}.rar`, rar);
        assert.equal(tags.Infected, "true");
        assert.equal(tags.ScanResult, result);
      });
    }

    for (const [format, rar, marker, result] of [
      ["RAR 4", rar4Of("clam.exe", CLAM_EXE), RAR4_MARKER, RAR4],
      ["RAR 5", rar5Of("clam.exe", CLAM_EXE), RAR5_SIGNATURE, RAR5],
    ] as const) {
      it(`tags a zip holding a ${format} unscannable`, async () => {
        const zip = zipOfFile("inner.bin", rar);
        assert.ok(!zip.includes(marker), "the RAR is deflated inside the zip, its marker not visible");
        const tags = await verdictOf(`rar/in-zip-${format.replace(" ", "")}.zip`, zip);
        assert.equal(tags.ScanResult, result);
        const line = log
          .messages("object not fully scanned")
          .find((l) => l.key === `rar/in-zip-${format.replace(" ", "")}.zip`);
        assert.match(String(line?.reason), /no RAR unpacker/);
      });
    }
  });
});
