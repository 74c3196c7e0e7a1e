/**
 * What the engine cannot look inside, made visible: a signature database the scanner ships itself
 * (never from the definitions bucket, so no mirror can drop it) and adds to every definitions version
 * it loads. Its detections are named `Bucketwarden.Unscannable.*` and map to the `unscannable`
 * status, never to clean. ClamAV applies every signature to each member it extracts as well as to
 * the object, so a RAR inside a zip inside a tar is caught like a RAR on its own. Pure.
 *
 * Measured on ClamAV 1.4.6 (Debian's build, the layers' engine):
 * - RAR: the `+dfsg` build has no RAR unpacker (libclamunrar is non-free), so nothing inside a RAR
 *   is scanned, whether RAR 1.5-4 (marker `Rar!\x1a\x07\x00`) or RAR 5 (`Rar!\x1a\x07\x01\x00`),
 *   and a self-extracting RAR carries the same marker after its stub.
 * - ZIP64 local headers: a zip member whose local header says "sizes in the ZIP64 extra field"
 *   (compressed size 0xFFFFFFFF) without a data descriptor (flag bit 3 clear) is skipped:
 *   `cli_unzip` takes 0xFFFFFFFF as the size, finds the member "out of file" and moves on. That is
 *   what `zip -` writes from a pipe, and what seekable writers write with ZIP64 forced or for
 *   members over 4 GiB. Members with a data descriptor (Python's zipfile or Java writing to a stream,
 *   browsers' streaming zips) are inflated and scanned, and are not matched here.
 * - Zip compression methods: `cli_unzip` decompresses stored, implode, deflate, deflate64 and bzip2
 *   only; a member compressed with LZMA, PPMd, xz, zstd (all of which 7-Zip writes) is skipped
 *   ("unsupported method") and the zip reported OK.
 */

/** File name of the database inside a definitions folder (never a name the updater publishes). */
export const UNSCANNABLE_DATABASE_FILE = "bucketwarden-unscannable.ndb";

/** Prefix of every detection of this database. */
export const UNSCANNABLE_PREFIX = "Bucketwarden.Unscannable.";

interface UnscannableSignature {
  /** Detection name, after {@link UNSCANNABLE_PREFIX}. */
  name: string;
  /** ClamAV `.ndb` body pattern (hex, `?` nibble and `{n}` skip wildcards, `(a|b)` alternatives). */
  hex: string;
  /** What an operator reads in the log. */
  reason: string;
}

// Compression methods real extractors decode and ClamAV's `cli_unzip` does not (it inflates only
// stored 0, implode 6, deflate 8, deflate64 9 and bzip2 12, and skips every other member unscanned):
// shrink 1, reduce 2-5, DCL implode 10, LZMA 14, IBM TERSE 18, IBM LZ77 19, zstd 20 and 93, MP3 94,
// xz 95, JPEG 96, WavPack 97, PPMd 98. A positive list rather than "anything else": a method no
// extractor knows delivers nothing, and random data (photos, video) matches the list about once in
// 16 TB instead of once in 1 TB.
const UNSUPPORTED_METHODS = "(01|02|03|04|05|0a|0e|12|13|14|5d|5e|5f|60|61|62)00";

// Flag byte 6 of a local header with bit 3 (data descriptor) clear: the low nibble is 0-7.
const NO_DATA_DESCRIPTOR = "(?0|?1|?2|?3|?4|?5|?6|?7)";

const SIGNATURES: readonly UnscannableSignature[] = [
  {
    name: "Rar4",
    hex: "526172211a0700",
    reason: "a RAR (1.5-4) archive: the engine has no RAR unpacker, so its members were not scanned",
  },
  {
    name: "Rar5",
    hex: "526172211a070100",
    reason: "a RAR 5 archive: the engine has no RAR unpacker, so its members were not scanned",
  },
  {
    name: "Zip64LocalHeader",
    // Signature, version, flags (bit 3 clear), method, time, date, CRC-32, compressed size 0xFFFFFFFF.
    hex: `504b0304????${NO_DATA_DESCRIPTOR}??{10}ffffffff`,
    reason:
      "a zip member with ZIP64 sizes in its local header and no data descriptor (as `zip -` writes from a pipe): the engine skips such members without inflating them",
  },
  {
    name: "ZipMethod",
    // Signature, version, flags, then the compression method.
    hex: `504b0304????????${UNSUPPORTED_METHODS}`,
    reason:
      "a zip member compressed with a method the engine cannot decompress (LZMA, PPMd, xz, zstd...): the engine skips it unscanned",
  },
];

/** The database's `.ndb` text: `Name:TargetType:Offset:HexSignature`, any target, any offset. */
export function unscannableDatabase(): string {
  return SIGNATURES.map((s) => `${UNSCANNABLE_PREFIX}${s.name}:0:*:${s.hex}\n`).join("");
}

/** True when a detection comes from this database. */
export function isUnscannableSignature(signature: string): boolean {
  return signature.startsWith(UNSCANNABLE_PREFIX);
}

/** Why the engine could not scan an object, for the log, from a detection of this database. */
export function unscannableReason(signature: string): string | undefined {
  if (!isUnscannableSignature(signature)) return undefined;
  const name = signature.slice(UNSCANNABLE_PREFIX.length).replace(/\.UNOFFICIAL$/, "");
  return SIGNATURES.find((s) => s.name === name)?.reason;
}
