import { OverridableCalendarProvider } from "../../functions/adapters/calendars/calendar-provider.js";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbPaymentRepository } from "../../functions/adapters/dynamodb/payment-repository.js";
import { StaticWebhookSecretStore } from "../../functions/adapters/secrets/static-webhook-secrets.js";
import type { IngestConfirmationsDeps } from "../../functions/use-cases/ingest-confirmations.js";
import { ROTATED_SECRET, TEST_ACQUIRER, TEST_SECRET } from "./confirmations.js";
import type { TestTable } from "./dynamodb.js";
import { RecordingMetrics } from "./recording-metrics.js";
import { TEST_DUE_SHARDS } from "./table-items.js";

export { SHANGHAI_MERCHANT } from "./confirmations.js";
export { RecordingMetrics } from "./recording-metrics.js";

/** The ingest use case wired to DynamoDB Local (a fresh table) with a fixed clock. */
export function ingestDeps(table: TestTable, now: Date, metrics = new RecordingMetrics()) {
  const db = documentClient(table.client);
  const deps: IngestConfirmationsDeps = {
    payments: new DynamoDbPaymentRepository(db, table.tableName, TEST_DUE_SHARDS),
    merchants: new DynamoDbMerchantRepository(db, table.tableName),
    secrets: new StaticWebhookSecretStore({ [TEST_ACQUIRER]: [TEST_SECRET, ROTATED_SECRET] }),
    calendars: new OverridableCalendarProvider(async () => undefined),
    clock: { now: () => now },
    metrics,
    defaultTerms: {
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
    },
  };
  return { deps, metrics, db };
}
