/**
 * Events as the scanner receives them: AWS S3 notifications (keys encoded the way S3 encodes them),
 * SQS batches of them, and real notifications from the test store (Ceph RGW pushing to a listener).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PutBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { snsClient } from "../../../local/store";
import { clientAs, testStore } from "./store";

/** Encodes a key as S3 does in event notifications: form encoding, slashes kept. */
export function encodeKeyLikeS3(key: string): string {
  return key
    .split("/")
    .map((part) => encodeURIComponent(part).replace(/%20/g, "+"))
    .join("/");
}

export interface EventObject {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
  size?: number;
  /** @default "ObjectCreated:Put" */
  eventName?: string;
}

/** One AWS S3 record, `ObjectCreated:Put` unless told otherwise. */
export function s3Record(o: EventObject) {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventName: o.eventName ?? "ObjectCreated:Put",
    s3: {
      s3SchemaVersion: "1.0",
      bucket: { name: o.bucket, arn: `arn:aws:s3:::${o.bucket}` },
      object: {
        key: encodeKeyLikeS3(o.key),
        size: o.size ?? 0,
        eTag: o.eTag ?? "",
        ...(o.versionId ? { versionId: o.versionId } : {}),
      },
    },
  };
}

/** An S3 event invoking Lambda directly. */
export function s3Event(...objects: EventObject[]) {
  return { Records: objects.map(s3Record) };
}

/** An SQS batch, one S3 event per message (`body` overrides a message's body). */
export function sqsEvent(messages: Array<{ id: string; objects?: EventObject[]; body?: string }>) {
  return {
    Records: messages.map((m) => ({
      messageId: m.id,
      eventSource: "aws:sqs",
      body: m.body ?? JSON.stringify(s3Event(...(m.objects ?? []))),
    })),
  };
}

/** Real notifications from the store: a topic pushing synchronously to a listener on loopback. */
export class StoreNotifications {
  readonly events: unknown[] = [];
  private server?: Server;

  /** Subscribes `bucket`'s object-created events. */
  async listen(bucket: string): Promise<this> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        this.events.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    const sns = snsClient(await testStore(), "owner");
    // Not persistent: the upload returns only after the listener has the event.
    const topic = await sns.send(
      new CreateTopicCommand({
        Name: `${bucket}-created`,
        Attributes: { "push-endpoint": `http://127.0.0.1:${port}` },
      }),
    );
    await (await clientAs("owner")).send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          TopicConfigurations: [{ Id: "created", TopicArn: topic.TopicArn, Events: ["s3:ObjectCreated:*"] }],
        },
      }),
    );
    return this;
  }

  /** Takes the events received so far. */
  take(): unknown[] {
    return this.events.splice(0);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
