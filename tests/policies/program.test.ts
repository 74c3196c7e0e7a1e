/**
 * The real program (index.ts) for each stack file, as the preview workflow checks it: every
 * `Pulumi.<stack>.yaml` run under mocks, the pack configured by pack-config from the same file.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { rules } from "../../policies/rules";
import { packConfig } from "../../policies/tools/pack-config";
import { PROJECT_ROOT, recordProgram } from "../program/run-program";
import { stackArgs } from "./support/policy-resources";
import { recordedStack } from "./support/recorded-stack";
import { assertPasses, runRule } from "./support/run-rule";

const STACKS = readdirSync(PROJECT_ROOT)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined);

describe("policy pack on the program's own stacks", () => {
  for (const stack of STACKS) {
    it(`passes every rule on the ${stack} stack, configured as CI configures it`, async () => {
      const file = parse(readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
      const config = packConfig(file?.config ?? {});
      const { rec } = await recordProgram(stack);
      const records = recordedStack(rec.resources);
      for (const rule of rules) {
        const own = config[rule.name];
        assertPasses(await runRule(rule, stackArgs(records, typeof own === "object" ? own : {})));
      }
    });
  }
});
