import assert from "node:assert/strict";
import {
  AWS_NAME_LIMITS,
  autonamed,
  BUCKET_PREFIX_MAX,
  bucketNameProblem,
  bucketPrefix,
  childName,
  existingBucketKey,
  fitName,
  layerName,
  roleArn,
  roleName,
  stackComponentName,
  uploadBucketName,
  uploadNameProblem,
} from "../../core/naming";

describe("core/naming: names of child resources", () => {
  const table: Array<[string, () => string, string]> = [
    [
      "joins the parent's name and the child's role",
      () => childName("bw-dev", "photos", "scanner"),
      "bw-dev-photos-scanner",
    ],
    ["leaves names within the limit alone", () => fitName("short", 10), "short"],
    [
      "names a layer after prefix, kind and architecture",
      () => layerName("bw-dev", "scanner", "arm64"),
      "bw-dev-scanner-arm64",
    ],
    [
      "replaces characters layer names refuse",
      () => layerName("bw.dev", "freshclam", "x86_64"),
      "bw-dev-freshclam-x86_64",
    ],
    ["lowercases bucket prefixes", () => bucketPrefix("BW-Dev-photos"), "bw-dev-photos-"],
    ["replaces characters bucket names refuse", () => bucketPrefix("bw_dev photos"), "bw-dev-photos-"],
    ["gives a name with nothing usable a fallback prefix", () => bucketPrefix("___"), "bucket-"],
    [
      "names an existing bucket's resources with dots as dashes",
      () => existingBucketKey("acme.prod.avatars"),
      "acme-prod-avatars",
    ],
  ];
  for (const [title, run, expected] of table) it(title, () => assert.equal(run(), expected));

  const stacks: Array<[string, string, string]> = [
    ["names a stack's pipeline after the stack", "dev", "bucketwarden-dev"],
    [
      "makes a stack name with dots and capitals safe for function and queue names",
      "Prod.EU_1",
      "bucketwarden-prod-eu-1",
    ],
  ];
  for (const [title, stack, expected] of stacks)
    it(title, () => assert.equal(stackComponentName(stack), expected));

  it("cuts long names to the limit and keeps them distinct with a hash", () => {
    const a = fitName(`${"x".repeat(70)}-a`, 56);
    const b = fitName(`${"x".repeat(70)}-b`, 56);
    assert.equal(a.length, 56);
    assert.notEqual(a, b);
    assert.equal(fitName(`${"x".repeat(70)}-a`, 56), a, "deterministic");
  });

  for (const kind of Object.keys(AWS_NAME_LIMITS) as Array<keyof typeof AWS_NAME_LIMITS>) {
    it(`leaves room for Pulumi's random suffix under AWS's limit for a ${kind}`, () => {
      const long = `bucketwarden-production-eu-west-1-${"a".repeat(63)}-scanner-dead-letters`;
      assert.equal(autonamed(long, kind).length + 8, Math.min(AWS_NAME_LIMITS[kind], long.length + 8));
      assert.equal(autonamed("short", kind), "short");
    });
  }

  it("keeps bucket prefixes short enough for AWS's generated suffix", () => {
    assert.ok(bucketPrefix("a".repeat(100)).length <= BUCKET_PREFIX_MAX);
  });
});

describe("core/naming: checks", () => {
  const uploadNames: Array<[string, string, boolean]> = [
    ["accepts a short lowercase name", "photos", true],
    ["accepts digits and dashes", "user-files-2", true],
    ["rejects a leading digit", "2024", false],
    ["rejects capitals, which bucket names refuse", "Photos", false],
    ["rejects dots", "a.b", false],
    ["rejects names too long to leave room in derived names", "a".repeat(25), false],
  ];
  for (const [title, name, ok] of uploadNames)
    it(`${title} as an upload bucket key`, () => assert.equal(uploadNameProblem(name) === undefined, ok));

  const bucketNames: Array<[string, string, boolean]> = [
    ["accepts a plain name", "acme-dev-avatars", true],
    ["accepts dots", "acme.dev.avatars", true],
    ["rejects two characters", "ab", false],
    ["rejects 64 characters", "a".repeat(64), false],
    ["rejects capitals", "Acme", false],
    ["rejects a trailing dash", "acme-", false],
    ["rejects two dots in a row", "acme..dev", false],
    ["rejects an IP address", "192.168.1.1", false],
  ];
  for (const [title, name, ok] of bucketNames)
    it(`${title} as an S3 bucket name`, () => assert.equal(bucketNameProblem(name) === undefined, ok));
});

describe("core/naming: the scanner role's name and ARN, known before the role exists", () => {
  const scope = { project: "bucketwarden", stack: "dev", region: "eu-west-1" };

  it("keeps a short role name readable and appends the scope's hash", () => {
    assert.match(roleName("bw-uploads-scanner-role", scope), /^bw-uploads-scanner-role-[0-9a-f]{8}$/);
  });

  it("names the same role the same way every time, so its ARN is known at preview", () => {
    assert.equal(
      roleName("bw-uploads-scanner-role", { ...scope }),
      roleName("bw-uploads-scanner-role", scope),
    );
  });

  // IAM role names are unique per account, not per region: every part of the scope must tell roles apart.
  const others: Array<[string, typeof scope]> = [
    ["another region of the same account", { ...scope, region: "us-east-1" }],
    ["another stack", { ...scope, stack: "prod" }],
    ["another project", { ...scope, project: "other-program" }],
  ];
  for (const [title, other] of others)
    it(`gives the same logical role in ${title} a different name`, () =>
      assert.notEqual(
        roleName("bw-uploads-scanner-role", other),
        roleName("bw-uploads-scanner-role", scope),
      ));

  it("fits a long role name within IAM's 64 characters, the same way every time", () => {
    const long = `bw-${"very-long-upload-bucket-name-".repeat(4)}scanner-role`;
    const fitted = roleName(long, scope);
    assert.ok(fitted.length <= AWS_NAME_LIMITS.role, `${fitted.length} > ${AWS_NAME_LIMITS.role}`);
    assert.equal(roleName(long, scope), fitted);
    assert.notEqual(fitted, roleName(`${long}-other`, scope));
  });

  const arns: Array<[string, string, string, string, string | undefined, string]> = [
    [
      "the default path",
      "aws",
      "123456789012",
      "bw-scanner",
      undefined,
      "arn:aws:iam::123456789012:role/bw-scanner",
    ],
    ["another partition", "aws-cn", "123456789012", "r", undefined, "arn:aws-cn:iam::123456789012:role/r"],
    ["a role path", "aws", "123456789012", "r", "/service/", "arn:aws:iam::123456789012:role/service/r"],
  ];
  for (const [title, partition, account, name, path, expected] of arns)
    it(`forms the role ARN as IAM does, with ${title}`, () =>
      assert.equal(roleArn(partition, account, name, path), expected));
});

describe("core/naming: a created upload bucket's name, known before the bucket exists", () => {
  const scope = { accountId: "123456789012", region: "eu-west-1", project: "bucketwarden", stack: "dev" };

  it("is the bucket prefix and a 12-character hash, a valid S3 bucket name", () => {
    const name = uploadBucketName("bucketwarden-dev-photos-uploads", scope);
    assert.match(name, /^bucketwarden-dev-photos-uploads-[0-9a-f]{12}$/);
    assert.equal(bucketNameProblem(name), undefined);
  });

  it("is the same every time, so the bucket policy naming it is known at preview", () => {
    assert.equal(uploadBucketName("x-uploads", { ...scope }), uploadBucketName("x-uploads", scope));
  });

  const others: Array<[string, typeof scope]> = [
    ["another account (bucket names are global to S3)", { ...scope, accountId: "210987654321" }],
    ["another region", { ...scope, region: "us-east-1" }],
    ["another stack", { ...scope, stack: "prod" }],
    ["another project", { ...scope, project: "other" }],
  ];
  for (const [title, other] of others)
    it(`differs in ${title}`, () =>
      assert.notEqual(uploadBucketName("x-uploads", other), uploadBucketName("x-uploads", scope)));

  it("fits S3's 63 characters for the longest logical name", () => {
    assert.ok(
      uploadBucketName(`bucketwarden-${"s".repeat(60)}-${"b".repeat(24)}-uploads`, scope).length <= 63,
    );
  });
});
