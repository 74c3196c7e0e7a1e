/**
 * The files of a fresh Pulumi program that installs bucketwarden from its packed tarballs: written
 * to a temporary folder outside the repository by consumer.test.ts, so nothing in it can reach this
 * checkout's sources or its `.build/`.
 */

/** package.json of the program: nothing but what `npm install` adds. */
export const PROGRAM_PACKAGE_JSON = JSON.stringify(
  { name: "consumer", version: "0.0.0", private: true },
  null,
  2,
);

/**
 * tsconfig.json: strict, and Node 16 module resolution, which reads the package's `exports` map
 * (the main entry and the `core/*` subpath) the way Node does.
 */
export const PROGRAM_TSCONFIG = JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "node16",
      moduleResolution: "node16",
      strict: true,
      outDir: "bin",
      types: ["node"],
    },
    files: ["index.ts"],
  },
  null,
  2,
);

/**
 * The program: both architectures (so every artefact of both packages is deployed), the access-rule
 * function for a bucket policy the user owns, and a core type through the subpath.
 */
export const PROGRAM_INDEX_TS = `import * as aws from "@pulumi/aws";
import { accessRulePolicyStatements, MalwareScanning, type MalwareScanningArgs } from "bucketwarden";
import { DEFAULT_TAG_SCHEMA, type TagSchema } from "bucketwarden/core/tags";

const args: MalwareScanningArgs = { uploadBuckets: { photos: { newBucket: true } } };
export const arm = new MalwareScanning("arm", args);
export const x86 = new MalwareScanning("x86", { ...args, architecture: "x86_64" });

const verdictTags: TagSchema = DEFAULT_TAG_SCHEMA;
const statements = accessRulePolicyStatements("my-own-bucket", "arn:aws:iam::123456789012:role/scanner", {
  verdictTags,
});
export const ownPolicy = new aws.s3.BucketPolicy("own", {
  bucket: "my-own-bucket",
  policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
});
`;

/**
 * Runs the compiled program under Pulumi's mocks, with the program's own @pulumi/pulumi (the one the
 * installed bucketwarden resolves as its peer), and prints one JSON line per asset or archive an
 * input names: resource type, name, property path and file path.
 */
export const MOCK_RUNNER_JS = `const pulumi = require("@pulumi/pulumi");
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const registered = [];
pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push(args);
      const name = args.inputs.name ?? args.name;
      const bucket = args.inputs.bucket ?? (args.inputs.bucketPrefix ?? args.name) + "mock";
      const arn = "arn:aws:mock:" + REGION + ":" + ACCOUNT + ":" + name;
      return {
        id: args.name + "-id",
        state: { ...args.inputs, name, bucket, arn, layerArn: arn, uniqueId: "AROAMOCK", url: "https://mock/" + name },
      };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: ACCOUNT, arn: "arn:aws:iam::" + ACCOUNT + ":user/mock", userId: "AIDAMOCK" };
        case "aws:index/getRegion:getRegion":
          return { name: REGION, region: REGION, id: REGION };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        default:
          throw new Error("unmocked invoke " + args.token);
      }
    },
  },
  "consumer",
  "dev",
  false,
);

async function pathsIn(value, where, found) {
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
    if (value.path !== undefined) found.push({ where, path: await value.path });
    else if (value.assets !== undefined) for (const [k, v] of Object.entries(await value.assets)) await pathsIn(v, where + "." + k, found);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) await pathsIn(v, where + "[" + i + "]", found);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) await pathsIn(v, where + "." + k, found);
  }
}

(async () => {
  require("./bin/index.js");
  await pulumi.runtime.waitForRPCs();
  for (const r of registered) {
    const found = [];
    await pathsIn(r.inputs, "", found);
    for (const f of found) console.log(JSON.stringify({ type: r.type, name: r.name, property: f.where, path: f.path }));
  }
  console.log(JSON.stringify({ resources: registered.length }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
`;
