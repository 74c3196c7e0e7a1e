import assert from "node:assert/strict";
import { ACTIONS_THE_STORE_LACKS, forStore, uploadBucketPolicy } from "../../local/buckets";

const buckets = {
  uploadBucket: "up",
  definitionsBucket: "defs",
  probeBucket: "probe",
  definitionsPrefix: "clamav/",
  scannerUid: "bwscanner",
  uploaderUid: "bwuser",
};

describe("local bucket policies", () => {
  it("leave out the actions the store's gateway refuses a policy for", () => {
    const actions = uploadBucketPolicy(buckets).Statement.flatMap((s) => [s.Action].flat());
    for (const lacking of ACTIONS_THE_STORE_LACKS) assert.ok(!actions.includes(lacking), lacking);
    assert.ok(actions.includes("s3:GetObjectTorrent"), "the store knows the torrent actions: kept");
  });

  it("keep a statement's other actions and drop a statement left with none", () => {
    const kept = forStore([
      {
        Sid: "a",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject", ...ACTIONS_THE_STORE_LACKS],
        Resource: "*",
      },
      {
        Sid: "b",
        Effect: "Deny",
        Principal: "*",
        Action: ACTIONS_THE_STORE_LACKS[0] as string,
        Resource: "*",
      },
    ]);
    assert.deepEqual(
      kept.map((s) => [s.Sid, s.Action]),
      [["a", "s3:GetObject"]],
    );
  });
});
