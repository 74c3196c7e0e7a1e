/**
 * The plugin's entry point (PulumiPlugin.yaml's `main`). Pulumi's Node.js language host loads this
 * module with the engine's address as the program's argument; it starts the provider's gRPC server,
 * which prints its port on stdout for the engine to connect to. It exports no component classes, so
 * the host does not start its own inferred provider beside this one.
 */
import * as provider from "@pulumi/pulumi/provider";
import { BucketwardenProvider } from "./provider";

export const serving: Promise<void> = provider.main(new BucketwardenProvider(), process.argv.slice(2));
