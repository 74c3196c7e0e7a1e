import assert from "node:assert/strict";
import { bareETag, classifyS3Error, S3Failure } from "../../../handlers/shared/s3";

const err = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe("handlers/shared/s3", () => {
  const table: Array<[string, unknown, S3Failure]> = [
    ["a missing key is gone", err("NoSuchKey", 404), S3Failure.NotFound],
    ["a missing version is gone", err("NoSuchVersion", 404), S3Failure.NotFound],
    ["HEAD's bodiless 404 is gone", err("NotFound", 404), S3Failure.NotFound],
    ["a failed If-Match means overwritten", err("PreconditionFailed", 412), S3Failure.PreconditionFailed],
    ["a held If-None-Match means not modified", err("NotModified", 304), S3Failure.NotModified],
    ["throttling is an ordinary failure", err("SlowDown", 503), S3Failure.Other],
    ["a denial is an ordinary failure, never gone", err("AccessDenied", 403), S3Failure.Other],
    ["a network error is an ordinary failure", new Error("ECONNRESET"), S3Failure.Other],
  ];
  for (const [behaviour, error, kind] of table)
    it(`classifies: ${behaviour}`, () => assert.equal(classifyS3Error(error), kind));

  for (const [raw, bare] of [
    ['"abc"', "abc"],
    ["abc", "abc"],
    ['W/"abc-2"', "abc-2"],
  ] as const)
    it(`strips S3's quotes from ${raw}`, () => assert.equal(bareETag(raw), bare));
});
