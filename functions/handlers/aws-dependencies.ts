import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CachedMerchantRepository } from "../adapters/cache/cached-merchant-repository.js";
import { OverridableCalendarProvider } from "../adapters/calendars/calendar-provider.js";
import { ssmCalendarOverrides } from "../adapters/calendars/ssm-calendar-overrides.js";
import { systemClock } from "../adapters/clock/system-clock.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbPaymentRepository } from "../adapters/dynamodb/payment-repository.js";
import { DynamoDbSettlementStore } from "../adapters/dynamodb/settlement-store.js";
import { EmfBusinessMetrics } from "../adapters/metrics/emf-business-metrics.js";
import { acquirerIdSchema } from "../domain/confirmation/confirmation.js";
import { defaultMerchantTermsSchema } from "../domain/merchant/merchant-terms.js";
import { inputLimitsSchema } from "../domain/validation/input-limits.js";
import type { OperatorApiEnv } from "../shared/env.js";
import { metrics } from "../shared/observability.js";

/** Wires the use cases' ports to AWS: created once per Lambda container, at init. */
export function awsDependencies(
  env: Pick<
    OperatorApiEnv,
    | "TABLE_NAME"
    | "DUE_SHARDS"
    | "CALENDAR_OVERRIDES_PARAMETER"
    | "DEFAULT_MERCHANT_TERMS"
    | "INPUT_LIMITS"
    | "ACQUIRERS_WITHOUT_ORDER_INDEX"
  >,
) {
  const db = documentClient(new DynamoDBClient({}));
  const settlementStore = new DynamoDbSettlementStore(db, env.TABLE_NAME);
  return {
    payments: new DynamoDbPaymentRepository(db, env.TABLE_NAME, env.DUE_SHARDS, {
      acquirersWithoutOrderIndex: acquirerIdSchema
        .array()
        .parse(JSON.parse(env.ACQUIRERS_WITHOUT_ORDER_INDEX)),
    }),
    merchants: new CachedMerchantRepository(new DynamoDbMerchantRepository(db, env.TABLE_NAME)),
    settlement: settlementStore,
    settlementFiles: settlementStore,
    calendars: new OverridableCalendarProvider(ssmCalendarOverrides(env.CALENDAR_OVERRIDES_PARAMETER)),
    clock: systemClock,
    metrics: new EmfBusinessMetrics(metrics),
    defaultTerms: defaultMerchantTermsSchema.parse(JSON.parse(env.DEFAULT_MERCHANT_TERMS)),
    inputLimits: inputLimitsSchema.parse(JSON.parse(env.INPUT_LIMITS)),
  };
}
