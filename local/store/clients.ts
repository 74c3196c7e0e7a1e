import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { SNSClient, type SNSClientConfig } from "@aws-sdk/client-sns";
import type { StoreInfo, StoreRole, StoreUser } from "./types";

function userOf(store: StoreInfo, user: StoreRole | StoreUser): StoreUser {
  return typeof user === "string" ? store.users[user] : user;
}

/**
 * An S3 client signed as `user` (a role of the store, or any user of it) against the store's
 * gateway. Path-style addressing because the gateway has no wildcard DNS name; checksums only when
 * an operation requires them, because the gateway answers a streamed upload with the SDK's default
 * trailing checksum by 411 MissingContentLength.
 */
export function s3Client(
  store: StoreInfo,
  user: StoreRole | StoreUser,
  config: S3ClientConfig = {},
): S3Client {
  const { accessKeyId, secretAccessKey } = userOf(store, user);
  return new S3Client({
    endpoint: store.endpoint,
    region: store.region,
    credentials: { accessKeyId, secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...config,
  });
}

/**
 * An SNS client signed as `user` against the gateway, which serves the topic API used for bucket
 * notifications (`CreateTopic` with `push-endpoint` and `persistent` attributes) on its S3 endpoint.
 */
export function snsClient(
  store: StoreInfo,
  user: StoreRole | StoreUser,
  config: SNSClientConfig = {},
): SNSClient {
  const { accessKeyId, secretAccessKey } = userOf(store, user);
  return new SNSClient({
    endpoint: store.endpoint,
    region: store.region,
    credentials: { accessKeyId, secretAccessKey },
    ...config,
  });
}
