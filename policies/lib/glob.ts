/** Wildcard matching as IAM and the pack's name patterns use it: `*` is any run of characters, `?` one. */

const cache = new Map<string, RegExp>();

function compile(pattern: string, ignoreCase: boolean): RegExp {
  const id = `${ignoreCase ? "i" : "s"}:${pattern}`;
  let re = cache.get(id);
  if (re === undefined) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, ignoreCase ? "is" : "s");
    cache.set(id, re);
  }
  return re;
}

/** True when `value` matches the wildcard `pattern`. */
export function globMatch(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  return compile(pattern, options.ignoreCase ?? false).test(value);
}

/** True when `pattern` has a wildcard character. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}
