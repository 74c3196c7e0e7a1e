/**
 * Sinon stand-ins for S3 Control and S3 (there is no AWS here): real SDK clients whose `send` is
 * stubbed, answering each command class from a table, and recording every command sent so tests can
 * compare the requests with what the SDK takes.
 */
import { type GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import sinon from "sinon";
import type { StackOutputs } from "../../../cli/aws/outputs";

export const ACCOUNT = "123456789012";

export const OUTPUTS: StackOutputs = {
  backlogScanning: {
    jobRoleArn: `arn:aws:iam::${ACCOUNT}:role/bw-backlog-job-role-1a2b3c`,
    reportBucketName: "bw-backlog-reports-1a2b3c",
    reportBucketArn: "arn:aws:s3:::bw-backlog-reports-1a2b3c",
    reportPrefix: "reports/",
    manifestPrefix: "manifests/",
    scannerFunctionArns: {
      uploads: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:bw-uploads-scanner-1a2b3c`,
      media: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:bw-media-scanner-1a2b3c`,
    },
  },
  uploadBucketNames: { uploads: "acme-uploads", media: "acme-media" },
  definitionsBucketName: "bw-definitions-1a2b3c",
};

// biome-ignore lint/suspicious/noExplicitAny: commands of every kind go through one table.
type Handler = (input: any) => unknown;

/** An SDK error as the clients throw it: a name and the HTTP status in `$metadata`. */
export function awsError(name: string, httpStatusCode: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

/** Clients answering by command class name (`CreateJobCommand`, ...); unlisted commands throw. */
export function fakeClients(handlers: Record<string, Handler>) {
  const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
  const s3Control = new S3ControlClient({ region: "eu-west-1", credentials });
  const s3 = new S3Client({ region: "eu-west-1", credentials });
  const sent: Array<{ name: string; command: unknown; input: unknown }> = [];
  const answer = async (command: { constructor: { name: string }; input: unknown }) => {
    const name = command.constructor.name;
    sent.push({ name, command, input: command.input });
    const handler = handlers[name];
    if (!handler) throw new Error(`no fake answer for ${name}`);
    return handler(command.input);
  };
  const controlSend = sinon.stub(s3Control, "send").callsFake(answer as never);
  const s3Send = sinon.stub(s3, "send").callsFake(answer as never);
  return { s3Control, s3, sent, controlSend, s3Send, names: () => sent.map((s) => s.name) };
}

/** A GetObject answer whose body is `text`. */
export function body(text: string) {
  return { Body: { transformToString: async () => text } };
}

/** GetObject answers from a map of `bucket/key` to text; other keys are NoSuchKey. */
export function objects(files: Record<string, string>): Handler {
  return (input: GetObjectCommand["input"]) => {
    const text = files[`${input.Bucket}/${input.Key}`];
    if (text === undefined) throw awsError("NoSuchKey", 404, "The specified key does not exist.");
    return body(text);
  };
}

/** A completion report of job `jobId` whose one result CSV holds `rows`. */
export function report(jobId: string, rows: string[]): Record<string, string> {
  const bucket = OUTPUTS.backlogScanning.reportBucketName;
  const csvKey = `reports/job-${jobId}/results/0d4f.csv`;
  return {
    [`${bucket}/reports/job-${jobId}/manifest.json`]: JSON.stringify({
      Format: "Report_CSV_20180820",
      ReportCreationDate: "2026-11-26T18:00:00.000Z",
      Results: [{ TaskExecutionStatus: "succeeded", Bucket: bucket, MD5Checksum: "x", Key: csvKey }],
      ReportSchema: "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage",
    }),
    [`${bucket}/${csvKey}`]: `${rows.join("\n")}\n`,
  };
}
