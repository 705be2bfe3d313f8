import { OverridableCalendarProvider } from "../../functions/adapters/calendars/calendar-provider.js";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbPaymentRepository } from "../../functions/adapters/dynamodb/payment-repository.js";
import { StaticWebhookSecretStore } from "../../functions/adapters/secrets/static-webhook-secrets.js";
import type { MerchantProfileInput } from "../../functions/domain/merchant/merchant-profile.js";
import type { IngestConfirmationsDeps } from "../../functions/use-cases/ingest-confirmations.js";
import type { BusinessMetricName, BusinessMetrics } from "../../functions/use-cases/ports.js";
import { ROTATED_SECRET, TEST_ACQUIRER, TEST_SECRET } from "./confirmations.js";
import type { TestTable } from "./dynamodb.js";

/** Records metric counts so tests can assert what the use case reported. */
export class RecordingMetrics implements BusinessMetrics {
  readonly counts = new Map<string, number>();
  count(name: BusinessMetricName, value: number, acquirer = "none"): void {
    const key = `${name}:${acquirer}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + value);
  }
  get(name: BusinessMetricName, acquirer = TEST_ACQUIRER): number {
    return this.counts.get(`${name}:${acquirer}`) ?? 0;
  }
}

export const SHANGHAI_MERCHANT: MerchantProfileInput = {
  merchantId: "m-shanghai-001",
  name: "上海小笼包店",
  timeZone: "Asia/Shanghai",
  calendar: "CN",
  settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
  contact: { phone: "+8613800138000", language: "zh-CN", channels: ["sms"] },
};

/** The ingest use case wired to DynamoDB Local (a fresh table) with a fixed clock. */
export function ingestDeps(table: TestTable, now: Date, metrics = new RecordingMetrics()) {
  const db = documentClient(table.client);
  const deps: IngestConfirmationsDeps = {
    payments: new DynamoDbPaymentRepository(db, table.tableName, 16),
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
