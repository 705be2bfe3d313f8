import { Readable } from "node:stream";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, describe, expect, it } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { CSV_HEADER, TEST_CSV_MAPPING } from "../support/settlement.js";

// The real Lambda handler: DynamoDB is DynamoDB Local (through the SDK's endpoint variable); S3 and
// SQS have no local stand-in here, so they are mocked at the SDK boundary.
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);

describe("ingest-settlement-file Lambda handler", () => {
  let table: TestTable;
  let handler: (
    event: SQSEvent,
    context: Context,
  ) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
  const csv = `${CSV_HEADER}\nh1,,m-shanghai-001,128.50,0.77,127.73,CNY,2026-10-08,PAY\n`;

  beforeAll(async () => {
    table = await createTestTable();
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const rawBody = JSON.stringify(confirmation({ paymentId: "h1", amountMinor: 12850 }));
    await ingestConfirmations(
      { rawBody, signatureHeader: signed(rawBody, new Date("2026-09-30T08:00:00Z")) },
      deps,
    );

    Object.assign(process.env, {
      ...handlerEnvFor(table),
      SETTLEMENT_BUCKET: "settlement-bucket",
      ACQUIRER_CSV_MAPPINGS: JSON.stringify(TEST_CSV_MAPPING),
      NOTICE_QUEUE_URL: "https://sqs.local-1.amazonaws.com/123456789012/notices",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    // The handler only iterates the body, as the SDK stream allows.
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from(csv, "utf8")]) as never }));
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    ({ handler } = await import("../../functions/handlers/ingest-settlement-file.handler.js"));
  });

  const context = {
    getRemainingTimeInMillis: () => 600_000,
    functionName: "test",
    awsRequestId: "r1",
  } as unknown as Context;
  const sqsEvent = (key: string, messageId = "m1"): SQSEvent => ({
    Records: [
      {
        messageId,
        receiptHandle: "h",
        body: JSON.stringify({
          Records: [{ s3: { bucket: { name: "settlement-bucket" }, object: { key, versionId: "v1" } } }],
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

  it("reads the object twice (hash, then stream), settles the payment, and reports no failures", async () => {
    const result = await handler(sqsEvent("incoming/acme-pay/2026-10-08/day.csv"), context);
    expect(result.batchItemFailures).toEqual([]);
    const gets = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
    expect(gets).toEqual([
      { Bucket: "settlement-bucket", Key: "incoming/acme-pay/2026-10-08/day.csv", VersionId: "v1" },
      { Bucket: "settlement-bucket", Key: "incoming/acme-pay/2026-10-08/day.csv", VersionId: "v1" },
    ]);
    const { deps } = ingestDeps(table, new Date());
    expect((await deps.payments.get("acme-pay", "h1"))?.status).toBe("SETTLED");
  });

  it("drops a message whose key is outside the layout (a retry cannot help) and fails one whose object cannot be read", async () => {
    expect((await handler(sqsEvent("somewhere/else.csv", "m2"), context)).batchItemFailures).toEqual([]);
    s3.on(GetObjectCommand).rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
    const result = await handler(sqsEvent("incoming/acme-pay/denied.csv", "m3"), context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "m3" }]);
  });
});
