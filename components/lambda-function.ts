import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../core/access-rule";
import { type HandlerName, LAMBDA_HANDLER, LAMBDA_RUNTIME } from "../core/artifacts";
import { lambdaTrustPolicy } from "../core/iam";
import type { LambdaArchitecture } from "../core/layer-layout";
import { autonamed, childName } from "../core/naming";
import { handlerCodeDir } from "./artifacts";

export interface ClamavFunctionArgs {
  handler: HandlerName;
  architecture: LambdaArchitecture;
  layers: pulumi.Input<string>[];
  memoryMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
  /** Reserved concurrency: the most instances at once. @default unreserved */
  reservedConcurrency?: number;
  /** Written by core's `scannerEnvironment`/`updaterEnvironment`, read by the handler's parser. */
  environment: pulumi.Input<Record<string, string>>;
  logRetentionDays: number;
  /** The role's permissions, given the ARN of the function's own log group. */
  policy: (logGroupArn: pulumi.Output<string>) => pulumi.Output<PolicyDocument>;
  description: string;
  /**
   * The role's physical name, when its ARN must be known before the role exists (see `roleName`).
   * @default autonamed
   */
  roleName?: pulumi.Input<string>;
  /** The role's ARN built from `roleName` and invokes, given to the function so it too is known at preview. */
  roleArn?: pulumi.Input<string>;
}

export interface ClamavFunction {
  fn: aws.lambda.Function;
  role: aws.iam.Role;
  /** Anything that uses the function's permissions (triggers, invocations) must wait for this. */
  rolePolicy: aws.iam.RolePolicy;
  logGroup: aws.cloudwatch.LogGroup;
}

/**
 * A handler bundle deployed as a function with a role of its own. The log group is created first and
 * named in the function's logging config, so the role can be limited to that one group instead of the
 * `logs:*` on `*` of Lambda's managed policy, and logs expire.
 */
export function clamavFunction(
  name: string,
  args: ClamavFunctionArgs,
  parent: pulumi.Resource,
): ClamavFunction {
  const opts = { parent };
  const logGroup = new aws.cloudwatch.LogGroup(
    childName(name, "logs"),
    { retentionInDays: args.logRetentionDays },
    opts,
  );
  const role = new aws.iam.Role(
    autonamed(childName(name, "role"), "role"),
    {
      ...(args.roleName === undefined ? {} : { name: args.roleName }),
      assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
      description: args.description,
    },
    // An explicit name cannot be held by the old and the new role at once.
    args.roleName === undefined ? opts : { ...opts, deleteBeforeReplace: true },
  );
  const rolePolicy = new aws.iam.RolePolicy(
    autonamed(childName(name, "permissions"), "rolePolicy"),
    { role: role.name, policy: args.policy(logGroup.arn).apply((doc) => JSON.stringify(doc)) },
    opts,
  );
  const fn = new aws.lambda.Function(
    autonamed(name, "function"),
    {
      // The role's id, new whenever the role is replaced (even under the same name), changes the
      // function's configuration: Lambda renews its KMS grant for the environment only on an update,
      // and a function left on a replaced role's grant fails with KMSAccessDeniedException.
      description: pulumi.interpolate`${args.description} (role ${role.uniqueId})`,
      code: new pulumi.asset.FileArchive(handlerCodeDir(args.architecture, args.handler)),
      runtime: LAMBDA_RUNTIME,
      handler: LAMBDA_HANDLER,
      architectures: [args.architecture],
      layers: args.layers,
      role: args.roleArn ?? role.arn,
      memorySize: args.memoryMb,
      timeout: args.timeoutSeconds,
      ephemeralStorage: { size: args.ephemeralStorageMb },
      ...(args.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: args.reservedConcurrency }),
      environment: { variables: args.environment },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
    },
    // The function must not run (or be invoked by a trigger) before it may write its logs.
    { parent, dependsOn: [role, rolePolicy] },
  );
  return { fn, role, rolePolicy, logGroup };
}
