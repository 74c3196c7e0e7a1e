/**
 * Modules the pack itself would load, resolved from `policies/` as the Pulumi CLI resolves them. When
 * `policies/node_modules` exists (after `npm ci --prefix policies`, as CI and `pulumi policy publish`
 * do), the pack's rules load @pulumi/policy from there while a plain `require` in a test would load the
 * root copy: two copies, whose `instanceof UnknownValueError` and protobuf checks do not recognise each
 * other's objects. The harnesses therefore take every runtime module the pack also uses from here.
 */
import { createRequire } from "node:module";
import * as path from "node:path";

/** The pack's folder. */
export const POLICIES_DIR = path.resolve(__dirname, "../../../policies");

/** `require` as code in `policies/` resolves it. */
export const packRequire = createRequire(path.join(POLICIES_DIR, "package.json"));

/** The @pulumi/policy the pack's rules use. */
export const packPolicySdk = packRequire("@pulumi/policy") as typeof import("@pulumi/policy");
