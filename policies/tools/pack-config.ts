/**
 * `npx tsx policies/tools/pack-config.ts <stack> [out.json]`: the pack's configuration for one
 * stack, for `pulumi preview --policy-pack-config`. The verdict tag settings come from the stack's
 * own `Pulumi.<stack>.yaml` (`bucketwarden:tagKey`, ...), so the pack checks the tags the stack's
 * scanners write, with one source of truth; so do the break-glass and replication roles its access
 * rule exempts (`bucketwarden:breakGlassRoleArns`, `bucketwarden:replicationRoleArns`), which the deny
 * rules accept as `trustedPrincipalArns`; `policies/config/<stack>.json`, when present, adds
 * anything else (enforcement levels, exemptions) in Pulumi's policy-config format.
 *
 * Run from the project root. Not loaded by the pack itself.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse } from "yaml";
import { SETTINGS_NAMESPACE, type SettingKey } from "../../core/settings";
import { tagSchema } from "../../core/tags";
import { TAG_SETTINGS } from "../lib/config";
import { rules } from "../rules";

type PolicyConfig = Record<string, unknown>;

/** The stack's tag settings, checked by core's `tagSchema` under the stack settings' own names. */
export function stackTagSettings(stackConfig: Record<string, unknown>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const key of TAG_SETTINGS) {
    const value = stackConfig[`${SETTINGS_NAMESPACE}:${key}`];
    if (value !== undefined && value !== null) found[key] = String(value);
  }
  const name = (key: string) => `${SETTINGS_NAMESPACE}:${key}`;
  tagSchema(
    {
      key: found.tagKey,
      infectedValue: found.tagInfectedValue,
      cleanValue: found.tagCleanValue,
      resultKey: found.tagResultKey,
      stampKey: found.tagStampKey,
    },
    {
      key: name("tagKey"),
      infectedValue: name("tagInfectedValue"),
      cleanValue: name("tagCleanValue"),
      resultKey: name("tagResultKey"),
      stampKey: name("tagStampKey"),
    },
  );
  return found;
}

/** The roles the stack's access rule exempts besides the scanner (a YAML list, or JSON or commas as set by the CLI). */
export function stackTrustedPrincipals(stackConfig: Record<string, unknown>): string[] {
  const list = (v: unknown): string[] => {
    if (Array.isArray(v)) return v.map(String);
    if (typeof v !== "string" || v.trim() === "") return [];
    if (v.trim().startsWith("[")) return (JSON.parse(v) as unknown[]).map(String);
    return v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  };
  const keys = ["breakGlassRoleArns", "replicationRoleArns"] satisfies SettingKey[];
  return [...new Set(keys.flatMap((key) => list(stackConfig[`${SETTINGS_NAMESPACE}:${key}`])))];
}

/**
 * Every rule that reads the tag schema gets the stack's tag settings, and every rule that accepts
 * trusted principals the stack's exempted roles; `overrides` are merged over them.
 */
export function packConfig(
  stackConfig: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, PolicyConfig | string> {
  const tags = stackTagSettings(stackConfig);
  const trusted = stackTrustedPrincipals(stackConfig);
  const config: Record<string, PolicyConfig | string> = {};
  for (const rule of rules) {
    const properties = rule.configSchema?.properties ?? {};
    const own: PolicyConfig = {
      ...(properties.tagKey !== undefined ? tags : {}),
      ...(properties.trustedPrincipalArns !== undefined && trusted.length > 0
        ? { trustedPrincipalArns: trusted }
        : {}),
    };
    if (Object.keys(own).length > 0) config[rule.name] = own;
  }
  for (const [name, value] of Object.entries(overrides)) {
    const base = config[name];
    const extra = typeof value === "string" ? { enforcementLevel: value } : (value as PolicyConfig);
    config[name] =
      typeof base === "object" ? { ...base, ...extra } : typeof value === "string" ? value : extra;
  }
  return config;
}

function main(argv: string[]): void {
  const [stack, out] = argv;
  if (stack === undefined) throw new Error("usage: pack-config.ts <stack> [out.json]");
  const stackFile = `Pulumi.${stack}.yaml`;
  const stackConfig = existsSync(stackFile) ? (parse(readFileSync(stackFile, "utf8"))?.config ?? {}) : {};
  const overridesFile = `policies/config/${stack}.json`;
  const overrides = existsSync(overridesFile) ? JSON.parse(readFileSync(overridesFile, "utf8")) : {};
  const json = `${JSON.stringify(packConfig(stackConfig, overrides), null, 2)}\n`;
  if (out === undefined) process.stdout.write(json);
  else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, json);
  }
}

if (require.main === module) main(process.argv.slice(2));
