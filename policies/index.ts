// The pack's entry point for the Pulumi CLI. It only constructs the pack: the rules live in ./rules.
import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

new PolicyPack("bucketwarden", { policies: rules });
