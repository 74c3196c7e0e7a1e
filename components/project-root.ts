import * as path from "node:path";

/**
 * The project root the build writes `.build/` under. Components reference build outputs by path only
 * (Pulumi hashes the files), so the same build deploys as no change.
 */
export const DEFAULT_PROJECT_ROOT = path.resolve(__dirname, "..");
