/** The database folder as manifest entries: names, hashes, sizes and CVD versions. */
import { open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { countTextSignatures, cvdSignatures, isDetectionDatabase } from "../../core/definitions-event";
import type { DefinitionsFile } from "../../core/manifest";
import { isDatabaseFile, sha256File } from "../shared/definitions";

/**
 * The version in a CVD/CLD header (`ClAV-VDB:<build time>:<version>:<signatures>:...`, 512 bytes).
 * Custom databases have none.
 */
export function cvdVersion(header: string): number | undefined {
  const m = /^ClamAV-VDB:[^:]*:(\d+):/.exec(header);
  return m ? Number(m[1]) : undefined;
}

async function readHeader(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
}

/** Every database file in `dir`, sorted by name, as the manifest lists them. */
export async function describeDatabase(dir: string): Promise<DefinitionsFile[]> {
  const names = (await readdir(dir)).filter(isDatabaseFile).sort();
  const files: DefinitionsFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path);
    if (!info.isFile()) continue;
    const container = /\.(cvd|cld|cud)$/i.test(name);
    const header = container ? await readHeader(path) : undefined;
    const version = header !== undefined ? cvdVersion(header) : undefined;
    const signatures =
      header !== undefined
        ? cvdSignatures(header)
        : isDetectionDatabase(name)
          ? countTextSignatures(await readFile(path, "latin1"))
          : undefined;
    files.push({
      name,
      sha256: await sha256File(path),
      size: info.size,
      ...(version !== undefined ? { version } : {}),
      ...(signatures !== undefined ? { signatures } : {}),
    });
  }
  return files;
}
