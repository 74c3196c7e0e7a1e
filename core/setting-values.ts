/**
 * Typed reads of raw stack config. Pulumi hands a program every config value as a string (structured
 * values as JSON), so these parse strings and throw {@link ConfigError} naming the setting as the user
 * wrote it (`bucketwarden:scannerMemoryMb`).
 */
import { ConfigError } from "./errors";
import { checkLimit, type Limit } from "./limits";

/** Stack config as Pulumi hands it over: `namespace:key` to string. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export class SettingReader {
  constructor(
    private readonly raw: RawConfig,
    /** The config namespace, e.g. `bucketwarden`. */
    readonly namespace: string,
  ) {}

  /** The setting's full name, as errors show it. */
  name(key: string): string {
    return `${this.namespace}:${key}`;
  }

  /** The raw value, or `undefined` when the setting is absent or blank. */
  value(key: string): string | undefined {
    const v = this.raw[this.name(key)];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }

  fail(key: string, message: string, cause?: unknown): never {
    throw new ConfigError(this.name(key), message, cause === undefined ? undefined : { cause });
  }

  string(key: string, fallback: string): string {
    return this.value(key) ?? fallback;
  }

  optionalString(key: string): string | undefined {
    return this.value(key);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.value(key) ?? fallback;
    if (!(allowed as readonly string[]).includes(v))
      this.fail(key, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got "${v}"`);
    return v as T;
  }

  integer(key: string, fallback: number, min: number, max: number, why = ""): number {
    const v = this.value(key);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) this.fail(key, `must be a whole number, got "${v}"`);
    return this.inRange(key, Number(v), min, max, why);
  }

  optionalInteger(key: string, min: number, max: number, why = ""): number | undefined {
    return this.value(key) === undefined ? undefined : this.integer(key, 0, min, max, why);
  }

  inRange(key: string, n: number, min: number, max: number, why = ""): number {
    return checkLimit(this.name(key), n, { min, max, why });
  }

  /** A whole number within `limit` (see `core/limits.ts`), or `fallback` when unset. */
  limited(key: string, fallback: number, limit: Limit): number {
    return this.integer(key, fallback, limit.min, limit.max, limit.why);
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.value(key);
    if (v === undefined) return fallback;
    if (v === "true") return true;
    if (v === "false") return false;
    return this.fail(key, `must be true or false, got "${v}"`);
  }

  /** A list: a YAML sequence in the stack file (JSON here), or a comma-separated string from `pulumi config set`. */
  list(key: string, fallback: readonly string[]): string[] {
    const v = this.value(key);
    if (v === undefined) return [...fallback];
    if (!v.startsWith("["))
      return v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    const parsed = this.json(key);
    if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === "string"))
      this.fail(key, "must be a list of strings");
    return parsed as string[];
  }

  /** A structured value, parsed from JSON. */
  json(key: string): unknown {
    const v = this.value(key);
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v);
    } catch (cause) {
      return this.fail(key, "is not valid JSON", cause);
    }
  }

  /** Keys under this namespace that `known` does not list. */
  unknownKeys(known: readonly string[]): string[] {
    const prefix = `${this.namespace}:`;
    return Object.keys(this.raw)
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .filter((k) => !known.includes(k));
  }
}

/** The known key closest to `key` (a typo's likely intent), if any is close. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(key.length / 4)) + 1;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
