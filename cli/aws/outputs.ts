/**
 * The stack outputs the AWS backend reads (index.ts exports them): where backlog jobs run from, and the
 * upload buckets they may scan. Read from `pulumi stack output --json` or from a JSON file holding the
 * same object (`--outputs <file>`, for a machine without the Pulumi CLI or the stack's state).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { MissingOutputsError } from "./errors";

/** What the CLI needs from the stack. */
export interface StackOutputs {
  backlogScanning: {
    jobRoleArn: string;
    reportBucketName: string;
    reportBucketArn: string;
    reportPrefix: string;
    manifestPrefix: string;
    /** By upload bucket key, as `uploadBucketNames`. */
    scannerFunctionArns: Record<string, string>;
  };
  /** By upload bucket key. */
  uploadBucketNames: Record<string, string>;
  /** Where the scanners' definitions are (`status` reads their version); absent in older stacks. */
  definitionsBucketName?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringMap(value: unknown, output: string): Record<string, string> {
  if (!isRecord(value) || Object.keys(value).length === 0)
    throw new MissingOutputsError(output, "is missing or empty");
  for (const [k, v] of Object.entries(value))
    if (typeof v !== "string" || v === "") throw new MissingOutputsError(`${output}.${k}`, "is not a string");
  return value as Record<string, string>;
}

/** Checks the stack's outputs (`pulumi stack output --json`'s object) and keeps what the CLI reads. */
export function parseStackOutputs(value: unknown): StackOutputs {
  if (!isRecord(value)) throw new MissingOutputsError("(all)", "the stack outputs are not a JSON object");
  const backlog = value.backlogScanning;
  if (!isRecord(backlog))
    throw new MissingOutputsError(
      "backlogScanning",
      "is missing: this stack has no BacklogScanning (deploy a bucketwarden version with backlog scanning on)",
    );
  const text = (name: string): string => {
    const v = backlog[name];
    if (typeof v !== "string" || v === "")
      throw new MissingOutputsError(`backlogScanning.${name}`, "is missing");
    return v;
  };
  const definitionsBucketName = value.definitionsBucketName;
  return {
    backlogScanning: {
      jobRoleArn: text("jobRoleArn"),
      reportBucketName: text("reportBucketName"),
      // Older stacks exported no ARN; the name makes it (S3 bucket ARNs carry no region or account).
      reportBucketArn:
        typeof backlog.reportBucketArn === "string" && backlog.reportBucketArn !== ""
          ? backlog.reportBucketArn
          : `arn:${partitionOfArn(text("jobRoleArn"))}:s3:::${text("reportBucketName")}`,
      reportPrefix: text("reportPrefix"),
      manifestPrefix: text("manifestPrefix"),
      scannerFunctionArns: stringMap(backlog.scannerFunctionArns, "backlogScanning.scannerFunctionArns"),
    },
    uploadBucketNames: stringMap(value.uploadBucketNames, "uploadBucketNames"),
    ...(typeof definitionsBucketName === "string" && definitionsBucketName !== ""
      ? { definitionsBucketName }
      : {}),
  };
}

const ARN = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:/;

/** The partition (`aws`, `aws-cn`, ...) an ARN is in. */
export function partitionOfArn(arn: string): string {
  return ARN.exec(arn)?.[1] ?? "aws";
}

/** The account an ARN names, if it names one (IAM and Lambda ARNs do; S3 bucket ARNs do not). */
export function accountOfArn(arn: string): string | undefined {
  return ARN.exec(arn)?.[4];
}

/** The region an ARN names, if any (Lambda ARNs do). */
export function regionOfArn(arn: string): string | undefined {
  return ARN.exec(arn)?.[3] || undefined;
}

/** Where to read the outputs from. */
export interface OutputsSource {
  /** A JSON file holding `pulumi stack output --json`'s object. */
  outputsFile?: string;
  /** The stack to ask the Pulumi CLI about; its current stack when absent. */
  stack?: string;
  /** Runs `pulumi` with the arguments and answers its stdout (injectable for tests). */
  runPulumi?: (args: string[]) => Promise<string>;
}

async function pulumiCli(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)("pulumi", args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Reads and checks the stack's outputs. */
export async function loadStackOutputs(source: OutputsSource = {}): Promise<StackOutputs> {
  let text: string;
  let from: string;
  if (source.outputsFile) {
    from = source.outputsFile;
    try {
      text = await readFile(source.outputsFile, "utf8");
    } catch (cause) {
      throw new MissingOutputsError("(all)", `cannot read ${source.outputsFile}`, { cause });
    }
  } else {
    const args = ["stack", "output", "--json", ...(source.stack ? ["--stack", source.stack] : [])];
    from = `pulumi ${args.join(" ")}`;
    try {
      text = await (source.runPulumi ?? pulumiCli)(args);
    } catch (cause) {
      throw new MissingOutputsError(
        "(all)",
        `\`${from}\` failed (is the Pulumi CLI installed and logged in? or pass --outputs <file>)`,
        { cause },
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new MissingOutputsError("(all)", `${from} did not give JSON`, { cause });
  }
  return parseStackOutputs(parsed);
}
