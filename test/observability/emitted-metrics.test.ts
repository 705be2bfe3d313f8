import { Readable } from "node:stream";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, Context, DynamoDBStreamEvent, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import {
  BUSINESS_METRIC_DIMENSIONS,
  BUSINESS_METRIC_NAMESPACE,
  BUSINESS_METRIC_SERVICE,
  CURRENCY_BUSINESS_METRIC_NAMES,
  CURRENCY_METRIC_DIMENSIONS,
  DASHBOARD_BUSINESS_METRIC_NAMES,
} from "../../infra/constructs/monitoring/metric-factory.js";
import { LocalTableStreamReader } from "../../local/table-stream.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { httpApiEvent } from "../support/http-api-event.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { CSV_HEADER, TEST_CSV_COLUMNS } from "../support/settlement.js";

// The proof that the dashboard and the alarms point at real metrics: the real Lambda handlers run
// (DynamoDB Local and its table stream; Secrets Manager, SQS, SNS and S3 mocked at the SDK boundary)
// through scenarios that make each of them count, and every business metric of
// infra/constructs/monitoring/metric-factory.ts must come out of Powertools as EMF with the same
// namespace, name and dimension set.

const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);

const FILE_ACQUIRER = "file-pay";
const OPS_TOPIC_ARN = "arn:aws:sns:local-1:123456789012:settlewatch-test-ops";
const DEPLOYMENT = "test";

interface EmfDocument {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

describe("every metric the dashboard and alarms use is emitted by the handlers", () => {
  let table: TestTable;
  const printed: string[] = [];
  const context = {
    getRemainingTimeInMillis: () => 600_000,
    functionName: "test",
    awsRequestId: "r1",
  } as unknown as Context;

  let ingestConfirmations: Handler<APIGatewayProxyEventV2, { statusCode?: number | undefined }>;
  let checkOverdue: Handler<unknown, unknown>;
  let notify: Handler<SQSEvent, { batchItemFailures: Array<{ itemIdentifier: string }> }>;
  let ingestSettlementFile: Handler<SQSEvent, { batchItemFailures: Array<{ itemIdentifier: string }> }>;
  let countTableChanges: Handler<DynamoDBStreamEvent, { counted: number }>;
  let tableStream: LocalTableStreamReader;
  /** What Lambda's stream event source does: the table's new change records to the counter handler. */
  const deliverTableChanges = async () => {
    const Records = (await tableStream.readNew()) as unknown as DynamoDBStreamEvent["Records"];
    return await countTableChanges({ Records }, context);
  };

  beforeAll(async () => {
    table = await createTestTable({ stream: true });
    tableStream = new LocalTableStreamReader(table.client, table.tableName, table.endpoint);
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));

    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_REGION: "local-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      TABLE_NAME: table.tableName,
      // As the stacks set them (test/infra/monitoring.test.ts checks the stacks against the factory).
      DEPLOYMENT,
      POWERTOOLS_SERVICE_NAME: BUSINESS_METRIC_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: BUSINESS_METRIC_NAMESPACE,
      POWERTOOLS_METRICS_DISABLED: "false",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      DEFAULT_MERCHANT_TERMS: JSON.stringify({
        timeZone: "Asia/Shanghai",
        calendar: "CN",
        settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
      }),
      WEBHOOK_SECRETS_ID: "settlewatch/test/webhook-secrets",
      NOTICE_QUEUE_URL: "https://sqs.local-1.amazonaws.com/123456789012/notices",
      SETTLEMENT_FILE_EXPECTATIONS: JSON.stringify({
        [FILE_ACQUIRER]: { expectedBy: "09:00", timeZone: "Asia/Shanghai", daysAfter: 0 },
      }),
      SNS_TOPIC_ARN_PREFIX: "arn:aws:sns:local-1:123456789012:",
      EMAIL_TOPIC_PREFIX: "settlewatch-test",
      OPS_TOPIC_ARN,
      SETTLEMENT_BUCKET: "settlement-bucket",
      ACQUIRER_CSV_MAPPINGS: JSON.stringify([
        {
          acquirer: TEST_ACQUIRER,
          columns: TEST_CSV_COLUMNS,
          kindValues: { PAY: "payment", REFUND: "refund" },
          controlLine: "^TOTAL;count=(?<count>\\d+)",
        },
      ]),
    });
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET], [FILE_ACQUIRER]: [TEST_SECRET] }),
    });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    // Powertools prints EMF (and nothing else here: logs are silenced) one JSON document per line.
    const capture = (chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.useFakeTimers({ toFake: ["Date"] });

    ({ handler: ingestConfirmations } = await import(
      "../../functions/handlers/ingest-confirmations.handler.js"
    ));
    ({ handler: checkOverdue } = await import("../../functions/handlers/check-overdue.handler.js"));
    ({ handler: notify } = await import("../../functions/handlers/notify.handler.js"));
    ({ handler: ingestSettlementFile } = await import(
      "../../functions/handlers/ingest-settlement-file.handler.js"
    ));
    ({ handler: countTableChanges } = await import(
      "../../functions/handlers/count-table-changes.handler.js"
    ));
  });

  afterAll(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  const post = (items: unknown, now: Date, signature?: string) => {
    const rawBody = JSON.stringify(items);
    const event = httpApiEvent({
      method: "POST",
      path: "/v1/confirmations",
      headers: {
        "content-type": "application/json",
        "settlewatch-signature": signature ?? signed(rawBody, now),
      },
      body: rawBody,
    });
    return ingestConfirmations(event, context);
  };

  const sqsEvent = (bodies: string[]): SQSEvent => ({
    Records: bodies.map((body, index) => ({
      messageId: `m${index}`,
      receiptHandle: "h",
      body,
      attributes: {} as SQSEvent["Records"][number]["attributes"],
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:local-1:123456789012:q",
      awsRegion: "local-1",
    })),
  });

  it("runs ingest, the overdue check, the notifier and the settlement-file ingest", async () => {
    // Confirmations: accepted (registered and unregistered merchants, an acquirer with a file),
    // a rejected item in a signed batch, and a request with a bad signature.
    const t0 = new Date("2026-09-30T08:00:00Z");
    vi.setSystemTime(t0);
    const batch = {
      confirmations: [
        confirmation({ paymentId: "p1" }),
        confirmation({ paymentId: "p2", merchantId: "m-unknown-001" }),
        confirmation({ paymentId: "p3", amountMinor: -5 }),
      ],
    };
    expect((await post(batch, t0)).statusCode).toBeLessThan(300);
    const filePay = { confirmations: [confirmation({ paymentId: "f1", acquirer: FILE_ACQUIRER })] };
    expect((await post(filePay, t0)).statusCode).toBeLessThan(300);
    expect((await post(confirmation({ paymentId: "p9" }), t0, "t=1,v1=00")).statusCode).toBe(401);
    expect((await deliverTableChanges()).counted).toBe(3); // p1, p2, f1 pending

    // Overdue check after the due time: p1, p2 overdue (p2's merchant unreachable), f1 held, its file late.
    vi.setSystemTime(new Date("2026-10-08T12:00:00Z"));
    await checkOverdue({}, context);
    const queued = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => entry.MessageBody as string);
    expect(queued.length).toBeGreaterThanOrEqual(2);

    // Notifier: the SMS goes out, the ops notice (file late) is refused by SNS.
    sns.on(PublishCommand).callsFake((input: { TopicArn?: string }) => {
      if (input.TopicArn === OPS_TOPIC_ARN)
        throw Object.assign(new Error("Rate exceeded"), { name: "Throttled" });
      return { MessageId: "x" };
    });
    const notified = await notify(sqsEvent(queued), context);
    expect(notified.batchItemFailures.length).toBeGreaterThan(0);
    expect((await deliverTableChanges()).counted).toBeGreaterThanOrEqual(2); // p1, p2 overdue

    // Settlement file: matched, mismatched, unmatched and rejected lines, and control totals that differ;
    // then a key outside the layout (unreadable).
    vi.setSystemTime(new Date("2026-10-08T13:00:00Z"));
    const csv = [
      CSV_HEADER,
      "p1,,m-shanghai-001,128.50,0.77,127.73,CNY,2026-10-08,PAY",
      "p2,,m-unknown-001,999.00,0.00,999.00,CNY,2026-10-08,PAY",
      "zz-unknown,,m-shanghai-001,1.00,0.00,1.00,CNY,2026-10-08,PAY",
      "bad,,m-shanghai-001,abc,0.00,abc,CNY,2026-10-08,PAY",
      "TOTAL;count=99",
      "",
    ].join("\n");
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from(csv, "utf8")]) as never }));
    const s3Body = (key: string) =>
      JSON.stringify({
        Records: [{ s3: { bucket: { name: "settlement-bucket" }, object: { key, versionId: "v1" } } }],
      });
    const ingested = await ingestSettlementFile(
      sqsEvent([s3Body(`incoming/${TEST_ACQUIRER}/2026-10-08/day.csv`), s3Body("elsewhere/file.csv")]),
      context,
    );
    expect(ingested.batchItemFailures).toEqual([]);
    // p1 settled late, the file's day is new; the next check publishes the open payments.
    expect((await deliverTableChanges()).counted).toBeGreaterThanOrEqual(2);
    await checkOverdue({}, context);

    // A confirmation whose arrival falls in a year the bundled CN calendar does not cover.
    const late = new Date("2026-12-31T04:00:00Z");
    vi.setSystemTime(late);
    const uncovered = confirmation({ paymentId: "p4", confirmedAt: "2026-12-31T10:00:00+08:00" });
    expect((await post(uncovered, late)).statusCode).toBeLessThan(300);

    // A void of p4 through the webhook handler: p4 is REVERSED, which the stream function counts.
    const voided = confirmation({
      paymentId: "v4",
      kind: "reversal",
      originalPaymentId: "p4",
      confirmedAt: "2026-12-31T10:05:00+08:00",
    });
    expect((await post(voided, late)).statusCode).toBe(201);
    expect((await deliverTableChanges()).counted).toBe(2); // p4 pending, then p4 reversed
  });

  /** What Powertools printed: per metric name, its namespaces and every document that carried it. */
  const emitted = () => {
    const documents = printed
      .flatMap((chunk) => chunk.split("\n"))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as EmfDocument);
    const byName = new Map<
      string,
      Array<{ namespace: string; dimensions: string[]; document: EmfDocument }>
    >();
    for (const document of documents) {
      for (const directive of document._aws.CloudWatchMetrics) {
        for (const metric of directive.Metrics) {
          const entries = byName.get(metric.Name) ?? [];
          for (const dimensions of directive.Dimensions)
            entries.push({ namespace: directive.Namespace, dimensions, document });
          byName.set(metric.Name, entries);
        }
      }
    }
    return byName;
  };

  it("emitted each dashboard and alarm metric under the factory's namespace, service and deployment", () => {
    const byName = emitted();
    const all = [...DASHBOARD_BUSINESS_METRIC_NAMES, ...CURRENCY_BUSINESS_METRIC_NAMES];
    const missing = all.filter((name) => !byName.has(name));
    expect(missing, "metrics on the dashboard that no scenario emitted").toEqual([]);
    for (const name of all) {
      for (const { namespace, dimensions, document } of byName.get(name) ?? []) {
        expect(namespace, name).toBe(BUSINESS_METRIC_NAMESPACE);
        expect(dimensions.slice(0, 2), name).toEqual(BUSINESS_METRIC_DIMENSIONS.slice(0, 2));
        expect(document.service, name).toBe(BUSINESS_METRIC_SERVICE);
        expect(document.deployment, name).toBe(DEPLOYMENT);
      }
    }
  });

  // Powertools' singleMetric() publishes on addMetric and then drops its dimensions: this caught the
  // adapter sending only the first metric of each acquirer with `acquirer` (fixed: one per metric).
  it("emitted each of them with exactly the dimension set {service, deployment, acquirer}", () => {
    const byName = emitted();
    for (const name of DASHBOARD_BUSINESS_METRIC_NAMES) {
      const entries = byName.get(name) ?? [];
      expect(entries.length, name).toBeGreaterThan(0);
      for (const { dimensions, document } of entries) {
        expect(dimensions, name).toEqual([...BUSINESS_METRIC_DIMENSIONS]);
        expect(typeof document.acquirer, name).toBe("string");
      }
    }
  });

  it("emitted the amounts with exactly {service, deployment, acquirer, currency}, as the dashboard's SEARCH asks", () => {
    const byName = emitted();
    for (const name of CURRENCY_BUSINESS_METRIC_NAMES) {
      const entries = byName.get(name) ?? [];
      expect(entries.length, name).toBeGreaterThan(0);
      for (const { dimensions, document } of entries) {
        expect(dimensions, name).toEqual([...CURRENCY_METRIC_DIMENSIONS]);
        expect(document.currency, name).toMatch(/^[A-Z]{3}$/);
      }
    }
    // And the values are the counters': the first check saw p1, p2 (acme-pay) and f1 (file-pay)
    // pending; by the second, p1 was settled late and p2 closed as a mismatch (f1 still awaits its file).
    const values = (name: string) =>
      (byName.get(name) ?? []).map(({ document }) =>
        [document.acquirer, document.currency, document[name]].filter((part) => part !== undefined).join(":"),
      );
    expect(values("PendingPayments")).toEqual([
      `${TEST_ACQUIRER}:2`,
      `${FILE_ACQUIRER}:1`,
      `${TEST_ACQUIRER}:0`,
      `${FILE_ACQUIRER}:1`,
    ]);
    expect(values("OverduePayments")).toEqual([
      `${TEST_ACQUIRER}:0`,
      `${FILE_ACQUIRER}:0`,
      `${TEST_ACQUIRER}:0`,
      `${FILE_ACQUIRER}:0`,
    ]);
    expect(values("OverdueAmountMinor")).toEqual([`${TEST_ACQUIRER}:CNY:0`]);
  });
});
