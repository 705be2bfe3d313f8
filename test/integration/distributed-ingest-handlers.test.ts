import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import type { DistributedIngestEvent } from "../../functions/handlers/distributed-ingest.handler.js";
import type { ChunkRange } from "../../functions/use-cases/ingest-settlement-file.js";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { CSV_HEADER, settlementDeps, TEST_CSV_MAPPING } from "../support/settlement.js";

// The real handlers on DynamoDB Local; S3, SQS and Step Functions mocked at the SDK boundary.
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const sfn = mockClient(SFNClient);
const STATE_MACHINE = "arn:aws:states:local-1:123456789012:stateMachine:distributed-ingest";

describe("distributed ingest through the Lambda handlers", () => {
  let table: TestTable;
  let ingest: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
  let step: (event: DistributedIngestEvent, context: Context) => Promise<unknown>;
  const rows = Array.from(
    { length: 40 },
    (_, i) => `big-${i},,m-shanghai-001,10.00,0.06,9.94,CNY,2026-10-08,PAY`,
  );
  const big = Buffer.from(`${CSV_HEADER}\n${rows.join("\n")}\n`, "utf8");
  const small = Buffer.from(`${CSV_HEADER}\n${rows[0]}\n`, "utf8");
  const fileId = createHash("sha256").update(big).digest("hex");
  const context = {
    getRemainingTimeInMillis: () => 600_000,
    functionName: "test",
    awsRequestId: "r1",
  } as unknown as Context;
  const sqsEvent = (key: string, size: number): SQSEvent => ({
    Records: [
      {
        messageId: "m1",
        receiptHandle: "h",
        body: JSON.stringify({
          Records: [
            { s3: { bucket: { name: "settlement-bucket" }, object: { key, versionId: "v1", size } } },
          ],
        }),
        attributes: {} as SQSEvent["Records"][number]["attributes"],
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:local-1:123456789012:settlement-files",
        awsRegion: "local-1",
      },
    ],
  });

  beforeAll(async () => {
    table = await createTestTable();
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    Object.assign(process.env, {
      ...handlerEnvFor(table),
      SETTLEMENT_BUCKET: "settlement-bucket",
      ACQUIRER_CSV_MAPPINGS: JSON.stringify(TEST_CSV_MAPPING),
      NOTICE_QUEUE_URL: "https://sqs.local-1.amazonaws.com/123456789012/notices",
      DISTRIBUTED_INGEST_STATE_MACHINE_ARN: STATE_MACHINE,
      DISTRIBUTED_THRESHOLD_BYTES: "1000",
      DISTRIBUTED_CHUNK_BYTES: "1024",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    // Like S3: `Range: bytes=a-b` (inclusive) returns those bytes only.
    s3.on(GetObjectCommand).callsFake((input: { Key: string; Range?: string }) => {
      const bytes = input.Key.endsWith("big.csv") ? big : small;
      const range = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? "");
      const body = range ? bytes.subarray(Number(range[1]), Number(range[2]) + 1) : bytes;
      return { Body: Readable.from([body]) as never };
    });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    ({ handler: ingest } = await import("../../functions/handlers/ingest-settlement-file.handler.js"));
    ({ handler: step } = await import("../../functions/handlers/distributed-ingest.handler.js"));
  });

  it("hands a large splittable file to the state machine once (named after its sha256); a small one is read at once", async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: "e1" })
      .rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));
    const key = "incoming/acme-pay/2026-10-08/big.csv";
    expect((await ingest(sqsEvent(key, big.length), context)).batchItemFailures).toEqual([]);
    expect((await ingest(sqsEvent(key, big.length), context)).batchItemFailures).toEqual([]); // re-delivery
    const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(2);
    expect(starts[0]?.name).toBe(fileId);
    expect(starts[0]?.stateMachineArn).toBe(STATE_MACHINE);
    expect(JSON.parse(starts[0]?.input ?? "{}")).toMatchObject({
      file: {
        bucket: "settlement-bucket",
        key,
        versionId: "v1",
        fileId,
        acquirer: "acme-pay",
        size: big.length,
      },
    });
    const store = settlementDeps(table, new Date()).store;
    expect(await store.getFile(fileId)).toBeUndefined(); // left to the state machine

    expect(
      (await ingest(sqsEvent("incoming/acme-pay/small.csv", small.length), context)).batchItemFailures,
    ).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it("runs plan, chunk workers and merge as the state machine does, and the file ends DONE with every line", async () => {
    const { file } = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? "{}") as {
      file: DistributedIngestEvent["file"];
    };
    s3.resetHistory();
    const plan = (await step({ step: "plan", file }, context)) as {
      file: DistributedIngestEvent["file"];
      chunks: number;
      ranges: ChunkRange[];
    };
    expect(plan.chunks).toBeGreaterThan(1);
    // The Map's items stay small: a few numbers per range; the plan's findings travel in `file`.
    expect(Object.keys(plan.ranges[0] ?? {}).sort()).toEqual([
      "end",
      "headerBytes",
      "index",
      "lineOffset",
      "start",
    ]);
    expect(plan.file).toMatchObject({ ...file, format: "acquirer-csv" });
    // The plan read the object once, whole and of the announced version.
    const planReads = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
    expect(planReads).toEqual([{ Bucket: "settlement-bucket", Key: file.key, VersionId: "v1" }]);

    for (const range of plan.ranges) {
      s3.resetHistory();
      await step({ step: "chunk", file: plan.file, range }, context);
      // A chunk worker reads the header prefix and its own range only, of the same version.
      const reads = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
      const first = range.start === range.headerBytes;
      expect(reads.map((read) => read.Range)).toEqual(
        first
          ? [`bytes=0-${range.end - 1}`]
          : [`bytes=0-${range.headerBytes - 1}`, `bytes=${range.start}-${range.end - 1}`],
      );
      expect(reads.every((read) => read.VersionId === "v1" && read.Key === file.key)).toBe(true);
    }
    const merged = (await step({ step: "merge", file: plan.file, chunks: plan.chunks }, context)) as {
      status: string;
      counts: { read: number };
    };
    expect(merged).toMatchObject({ status: "DONE", counts: { read: 40, unmatched: 40 } });
  });

  it("refuses a chunk item of an older plan (byte ranges without line offsets), and a ranged read S3 answers whole", async () => {
    const { file } = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? "{}") as {
      file: DistributedIngestEvent["file"];
    };
    const older = { index: 1, start: 100, end: 200, headerLines: 1 } as unknown as ChunkRange;
    await expect(step({ step: "chunk", file, range: older }, context)).rejects.toThrow(/not a record range/);

    const { openObjectRange } = await import("../../functions/adapters/s3/s3-settlement-files.js");
    s3.on(GetObjectCommand, { Key: "ignores-range.csv" }).callsFake(() => ({
      Body: Readable.from([big]) as never,
    }));
    const read = async () => {
      for await (const _ of openObjectRange(new S3Client({}), "b", "ignores-range.csv", "v1")(10, 20));
    };
    await expect(read()).rejects.toThrow(/asked bytes 10-19 \(10\), got \d+\+/);
  });
});
