/** Buckets on the test store, with the access rule of the core applied as the component applies it. */
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type PutObjectCommandOutput,
} from "@aws-sdk/client-s3";
import {
  accessRuleStatements,
  mergePolicy,
  type PolicyStatement,
  scannerGrantStatement,
  scannerUser,
} from "../../../core/access-rule";
import { quarantineRuleStatements } from "../../../core/infected-actions";
import { DEFAULT_TAG_SCHEMA, type Tag } from "../../../core/tags";
import { clientAs, testStore, uniqueBucket } from "./store";

/** The ARN the store gives a user in policy principals. */
export function userArn(uid: string): string {
  return `arn:aws:iam:::user/${uid}`;
}

/** Creates a bucket owned by the store's owner user. */
export async function createBucket(purpose: string, options: { versioned?: boolean } = {}): Promise<string> {
  const owner = await clientAs("owner");
  const bucket = uniqueBucket(purpose);
  await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.versioned)
    await owner.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
  return bucket;
}

/**
 * An upload bucket as the component sets it up: the access rule (scanner exempted by `aws:username`
 * here, since the store does not evaluate `aws:PrincipalArn`), the explicit grant to the scanner
 * (objects belong to their uploader on this store), and the application's own statement letting the
 * uploader upload, read and try to tag. `bucket` puts the rule on an existing bucket (adoption);
 * `preExistingReadable` keeps objects the marker tagged pending readable.
 */
export async function createUploadBucket(
  options: {
    versioned?: boolean;
    preExistingReadable?: boolean;
    bucket?: string;
    scannerDeletes?: boolean;
  } = {},
): Promise<string> {
  const store = await testStore();
  const bucket = options.bucket ?? (await createBucket(options.versioned ? "up-v" : "up", options));
  const scanner = store.users.scanner.uid;
  const app: PolicyStatement = {
    Sid: "TestAppUploader",
    Effect: "Allow",
    Principal: { AWS: [userArn(store.users.uploader.uid)] },
    Action: [
      "s3:PutObject",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTagging",
      "s3:GetObjectVersionTagging",
      "s3:PutObjectTagging",
      "s3:PutObjectVersionTagging",
      "s3:DeleteObjectTagging",
      "s3:DeleteObjectVersionTagging",
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
    ],
    Resource: `arn:aws:s3:::${bucket}/*`,
  };
  const rule = accessRuleStatements({
    bucket,
    tags: DEFAULT_TAG_SCHEMA,
    scanner: scannerUser(scanner),
    // The test store listens on plain HTTP on loopback.
    tlsOnly: false,
    preExistingReadable: options.preExistingReadable,
  });
  // What the scanner role's "ListUploads" grants on AWS (core/iam): without it a deleted object
  // answers 403, not 404, and could not be told from a real denial.
  const list: PolicyStatement = {
    Sid: "TestScannerListsUploads",
    Effect: "Allow",
    Principal: { AWS: [userArn(scanner)] },
    Action: ["s3:ListBucket", "s3:ListBucketVersions"],
    Resource: `arn:aws:s3:::${bucket}`,
  };
  // What the scanner role's "DeleteInfectedVersions" grants on AWS when deleting is on (core/iam).
  const deletes: PolicyStatement[] = options.scannerDeletes
    ? [
        {
          Sid: "TestScannerDeletesVersions",
          Effect: "Allow",
          Principal: { AWS: [userArn(scanner)] },
          Action: ["s3:DeleteObjectVersion"],
          Resource: `arn:aws:s3:::${bucket}/*`,
        },
      ]
    : [];
  const policy = mergePolicy(
    [...rule, scannerGrantStatement(bucket, [userArn(scanner)])],
    [app, list, ...deletes],
  );
  await (await clientAs("owner")).send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }),
  );
  return bucket;
}

/**
 * A quarantine bucket as the component sets it up: versioned, under the quarantine rule
 * (core/infected-actions), the scanner granted the copy's writes (what its role's
 * "QuarantineInfected" grants on AWS), and, to show the rule wins, the uploader granted reads.
 */
export async function createQuarantineBucket(): Promise<string> {
  const store = await testStore();
  const bucket = await createBucket("quar", { versioned: true });
  const scanner = userArn(store.users.scanner.uid);
  const rule = quarantineRuleStatements({
    bucket,
    tags: DEFAULT_TAG_SCHEMA,
    scanner: scannerUser(store.users.scanner.uid),
    tlsOnly: false,
  });
  const grants: PolicyStatement[] = [
    {
      Sid: "TestScannerWritesCopies",
      Effect: "Allow",
      Principal: { AWS: [scanner] },
      Action: [
        "s3:PutObject",
        "s3:PutObjectTagging",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
      ],
      Resource: `arn:aws:s3:::${bucket}/*`,
    },
    {
      Sid: "TestAppReadsEverything",
      Effect: "Allow",
      Principal: { AWS: [userArn(store.users.uploader.uid)] },
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: `arn:aws:s3:::${bucket}/*`,
    },
  ];
  await (await clientAs("owner")).send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(mergePolicy(rule, grants)) }),
  );
  return bucket;
}

/** A definitions bucket the updater (owner) writes and the scanner user reads. */
export async function createDefinitionsBucket(): Promise<string> {
  const store = await testStore();
  const bucket = await createBucket("defs");
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ScannerReadsDefinitions",
        Effect: "Allow",
        Principal: { AWS: [userArn(store.users.scanner.uid)] },
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
  await (await clientAs("owner")).send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }),
  );
  return bucket;
}

/** Uploads as the ordinary user, optionally with the user's own tags. */
export async function upload(
  bucket: string,
  key: string,
  body: string | Buffer,
  tags: Record<string, string> = {},
): Promise<PutObjectCommandOutput> {
  const uploader = await clientAs("uploader");
  // Percent-encoding, not URLSearchParams' "+" for spaces: the store reads "+" literally.
  const tagging = Object.entries(tags)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  return uploader.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...(tagging ? { Tagging: tagging } : {}) }),
  );
}

/** An object's tags as a plain record, read by the scanner user (who may read every object's tags). */
export async function tagsOf(
  bucket: string,
  key: string,
  versionId?: string,
): Promise<Record<string, string>> {
  const scanner = await clientAs("scanner");
  const res = await scanner.send(
    new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return Object.fromEntries((res.TagSet ?? []).map((t: Partial<Tag>) => [t.Key ?? "", t.Value ?? ""]));
}

/** The HTTP status a request ends with (200 on success). */
export async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    await request;
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}
