/**
 * Asks AWS's authorization rules whether an S3 API call goes through, using `@cloud-copilot/iam-simulate`
 * (an IAM policy simulator that validates every policy with `@cloud-copilot/iam-policy` and drops the
 * context keys AWS does not evaluate for an action). A call is authorized the way S3 authorizes it: as
 * every action it checks, each with the context AWS sets (a tagged PutObject is `s3:PutObject` and
 * `s3:PutObjectTagging` with its request tags; a copy is `s3:GetObject` on the source and `s3:PutObject`
 * with `s3:x-amz-copy-source` on the destination), and it goes through only when each check is allowed.
 *
 * Principals that belong to the account hold an identity policy allowing `s3:*` on everything, so the
 * bucket policy is the only thing that can stop them: the worst case for the access rule.
 */
import {
  anonymousPrincipal,
  runSimulation,
  type SimulationRequestPrincipal,
} from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../core/access-rule";

/** The account that owns the buckets and the IAM principals. */
export const ACCOUNT = "123456789012";

/** Who makes a request, and the global condition keys AWS sets for it. */
export interface Caller {
  readonly label: string;
  readonly principal: SimulationRequestPrincipal;
  readonly context: Readonly<Record<string, string>>;
  /** Whether the caller holds the account's `s3:*` identity policy (not for anonymous or services). */
  readonly inAccount: boolean;
}

/** A session of an assumed role: its principal is the session, `aws:PrincipalArn` the role's ARN. */
export function roleSession(roleName: string, session = "session"): Caller {
  return {
    label: `a session of role ${roleName}`,
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${session}`,
    context: { "aws:PrincipalArn": roleArnOf(roleName), "aws:PrincipalAccount": ACCOUNT },
    inAccount: true,
  };
}

/** A session of the role with ARN `roleArn` (of any account). */
export function sessionOf(roleArn: string, session = "session"): Caller {
  const [, , , , account, resource] = roleArn.split(":");
  const roleName = resource.slice("role/".length).split("/").pop() ?? resource;
  return {
    label: `a session of role ${roleName}`,
    principal: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
    context: { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": account },
    inAccount: account === ACCOUNT,
  };
}

/** The role ARN `roleSession(roleName)` carries as `aws:PrincipalArn`. */
export function roleArnOf(roleName: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
}

/** An IAM user, with long-term keys (or a presigned URL it signed). */
export function iamUser(name: string): Caller {
  const arn = `arn:aws:iam::${ACCOUNT}:user/${name}`;
  return {
    label: `IAM user ${name}`,
    principal: arn,
    context: { "aws:PrincipalArn": arn, "aws:username": name, "aws:PrincipalAccount": ACCOUNT },
    inAccount: true,
  };
}

/** The account's root user. */
export const accountRoot: Caller = {
  label: "the account root",
  principal: `arn:aws:iam::${ACCOUNT}:root`,
  context: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:root`, "aws:PrincipalAccount": ACCOUNT },
  inAccount: true,
};

/** An unsigned request (a public-read ACL or an `Allow` to `*` would be what lets it in). */
export const anonymous: Caller = {
  label: "an anonymous caller",
  principal: anonymousPrincipal,
  context: {},
  inAccount: false,
};

/** A service principal acting for a resource of the account, e.g. CloudFront with origin access control. */
export function servicePrincipal(service: string, sourceArn: string): Caller {
  return {
    label: service,
    principal: service,
    context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT },
    inAccount: false,
  };
}

/** An object as S3 holds it. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
  /** Its tags (of the version addressed). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One authorization S3 makes for a call. */
export interface Check {
  readonly action: string;
  readonly object: S3Object;
  /** Request-specific keys: request tags, `s3:x-amz-copy-source`. */
  readonly request?: Readonly<Record<string, string | string[]>>;
}

/** An API call, as the checks S3 makes for it. */
export interface ApiCall {
  readonly name: string;
  readonly checks: readonly Check[];
}

function requestTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string | string[]> {
  if (tags === undefined || Object.keys(tags).length === 0) return {};
  const keys: Record<string, string | string[]> = { "s3:RequestObjectTagKeys": Object.keys(tags) };
  for (const [k, v] of Object.entries(tags)) keys[`s3:RequestObjectTag/${k}`] = v;
  return keys;
}

/** An upload with `x-amz-tagging` is also a tag write, checked with the same request tags. */
function upload(name: string, target: S3Object, tags?: Record<string, string>, extra = {}): ApiCall {
  const request = { ...requestTags(tags), ...extra };
  const checks: Check[] = [{ action: "s3:PutObject", object: target, request }];
  if (tags !== undefined && Object.keys(tags).length > 0)
    checks.push({ action: "s3:PutObjectTagging", object: target, request });
  return { name, checks };
}

function copySource(source: S3Object): Record<string, string> {
  return { "s3:x-amz-copy-source": `${source.bucket}/${source.key}` };
}

/** The S3 API calls the tests make, as S3 authorizes them. */
export const s3 = {
  putObject: (target: S3Object, tags?: Record<string, string>) => upload("PutObject", target, tags),
  /** A browser-style POST: its `tagging` form field is authorized as request tags of s3:PutObject. */
  postObject: (target: S3Object, tags?: Record<string, string>) => upload("POST Object", target, tags),
  createMultipartUpload: (target: S3Object, tags?: Record<string, string>) =>
    upload("CreateMultipartUpload", target, tags),
  uploadPart: (target: S3Object): ApiCall => ({
    name: "UploadPart",
    checks: [{ action: "s3:PutObject", object: target }],
  }),
  /**
   * CopyObject: read the source, write the destination with `s3:x-amz-copy-source`. With the tagging
   * directive COPY (the default) the source's tags travel with no `x-amz-tagging`, so no request-tag key
   * sees them; with REPLACE the new tags are request tags.
   */
  copyObject: (source: S3Object, target: S3Object, replaceTags?: Record<string, string>): ApiCall => {
    const write = upload("CopyObject", target, replaceTags, copySource(source));
    return { name: write.name, checks: [{ action: "s3:GetObject", object: source }, ...write.checks] };
  },
  uploadPartCopy: (source: S3Object, target: S3Object): ApiCall => ({
    name: "UploadPartCopy",
    checks: [
      { action: "s3:GetObject", object: source },
      { action: "s3:PutObject", object: target, request: copySource(source) },
    ],
  }),
  getObject: (o: S3Object): ApiCall => ({
    name: "GetObject",
    checks: [{ action: "s3:GetObject", object: o }],
  }),
  /** HEAD is authorized as s3:GetObject. */
  headObject: (o: S3Object): ApiCall => ({
    name: "HeadObject",
    checks: [{ action: "s3:GetObject", object: o }],
  }),
  getObjectVersion: (o: S3Object): ApiCall => ({
    name: "GetObject?versionId",
    checks: [{ action: "s3:GetObjectVersion", object: o }],
  }),
  getObjectTorrent: (o: S3Object): ApiCall => ({
    name: "GetObjectTorrent",
    checks: [{ action: "s3:GetObjectTorrent", object: o }],
  }),
  getObjectVersionTorrent: (o: S3Object): ApiCall => ({
    name: "GetObjectTorrent?versionId",
    checks: [{ action: "s3:GetObjectVersionTorrent", object: o }],
  }),
  replicationRead: (o: S3Object): ApiCall => ({
    name: "replication read",
    checks: [{ action: "s3:GetObjectVersionForReplication", object: o }],
  }),
  /** What S3 replication does in a destination bucket: write an object with its tags, or later tags. */
  replicateObject: (o: S3Object): ApiCall => ({
    name: "replication write",
    checks: [{ action: "s3:ReplicateObject", object: o }],
  }),
  replicateTags: (o: S3Object): ApiCall => ({
    name: "replication of tags",
    checks: [{ action: "s3:ReplicateTags", object: o }],
  }),
  putObjectTagging: (o: S3Object, tags: Record<string, string>): ApiCall => ({
    name: "PutObjectTagging",
    checks: [{ action: "s3:PutObjectTagging", object: o, request: requestTags(tags) }],
  }),
  putObjectVersionTagging: (o: S3Object, tags: Record<string, string>): ApiCall => ({
    name: "PutObjectTagging?versionId",
    checks: [{ action: "s3:PutObjectVersionTagging", object: o, request: requestTags(tags) }],
  }),
  deleteObjectTagging: (o: S3Object): ApiCall => ({
    name: "DeleteObjectTagging",
    checks: [{ action: "s3:DeleteObjectTagging", object: o }],
  }),
  deleteObjectVersionTagging: (o: S3Object): ApiCall => ({
    name: "DeleteObjectTagging?versionId",
    checks: [{ action: "s3:DeleteObjectVersionTagging", object: o }],
  }),
  putObjectAcl: (o: S3Object): ApiCall => ({
    name: "PutObjectAcl",
    checks: [{ action: "s3:PutObjectAcl", object: o, request: { "s3:x-amz-acl": "public-read" } }],
  }),
} as const;

/** What AWS decides for one call. */
export interface Decision {
  readonly allowed: boolean;
  /** Per check: its action and AWS's answer (`Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`). */
  readonly results: readonly { action: string; result: string }[];
  /** Sids of the bucket-policy statements that denied a check. */
  readonly deniedBy: readonly string[];
}

const ACCOUNT_S3_ADMIN = {
  name: "s3-everything",
  policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
};

/**
 * Whether `caller` may make `call`, each check evaluated against the policy of the bucket it touches
 * (`policies[bucket]`, or none). Requests are made over TLS unless `insecure`.
 */
export async function authorize(
  policies: Readonly<Record<string, PolicyDocument>>,
  caller: Caller,
  call: ApiCall,
  options: { insecure?: boolean } = {},
): Promise<Decision> {
  const results: { action: string; result: string }[] = [];
  const deniedBy: string[] = [];
  for (const check of call.checks) {
    const context: Record<string, string | string[]> = {
      ...caller.context,
      "aws:SecureTransport": options.insecure ? "false" : "true",
      ...check.request,
    };
    // Every check is given the object's tags; the simulator drops the key for actions AWS gives no
    // object-tag condition (uploads, torrents, replication), as AWS does.
    for (const [k, v] of Object.entries(check.object.tags ?? {})) context[`s3:ExistingObjectTag/${k}`] = v;
    const response = await runSimulation(
      {
        request: {
          principal: caller.principal,
          action: check.action,
          resource: {
            resource: `arn:aws:s3:::${check.object.bucket}/${check.object.key}`,
            accountId: ACCOUNT,
          },
          contextVariables: context,
        },
        identityPolicies: caller.inAccount ? [ACCOUNT_S3_ADMIN] : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policies[check.object.bucket],
      },
      {},
    );
    if (response.resultType === "error")
      throw new Error(`the simulator refused ${check.action}: ${JSON.stringify(response.errors)}`);
    const result = response.resultType === "single" ? response.result : response.results[0];
    results.push({ action: check.action, result: response.overallResult });
    for (const s of result?.analysis.resourceAnalysis?.denyStatements ?? [])
      deniedBy.push(s.explain.identifier);
  }
  return { allowed: results.every((r) => r.result === "Allowed"), results, deniedBy: [...new Set(deniedBy)] };
}

/**
 * Whether a principal holding only the identity policy `doc` may call `action` on `resource`: for
 * checking a role's own policy, with no resource policy in the way unless `resourcePolicy` names one
 * (KMS, say, where the key policy must allow too).
 */
export async function identityAllows(
  doc: PolicyDocument,
  action: string,
  resource: string,
  context: Record<string, string> = {},
  resourcePolicy?: PolicyDocument,
): Promise<boolean> {
  const response = await runSimulation(
    {
      request: {
        principal: roleSession("function-role").principal,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: "role", policy: doc }],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === "error")
    throw new Error(`the simulator refused ${action}: ${JSON.stringify(response.errors)}`);
  return response.overallResult === "Allowed";
}

/**
 * What a resource policy alone decides for `caller` (one outside the account, or a service): for queue
 * and topic policies that let S3 send events.
 */
export async function resourcePolicyDecision(
  doc: PolicyDocument,
  caller: Caller,
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Promise<{ result: string; deniedBy: string[] }> {
  const response = await runSimulation(
    {
      request: {
        principal: caller.principal,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { ...caller.context, ...context },
      },
      identityPolicies: caller.inAccount ? [ACCOUNT_S3_ADMIN] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: doc,
    },
    {},
  );
  if (response.resultType === "error")
    throw new Error(`the simulator refused ${action}: ${JSON.stringify(response.errors)}`);
  const result = response.resultType === "single" ? response.result : response.results[0];
  return {
    result: response.overallResult,
    deniedBy: (result?.analysis.resourceAnalysis?.denyStatements ?? []).map((s) => s.explain.identifier),
  };
}
