import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OverridableCalendarProvider } from "../adapters/calendars/calendar-provider.js";
import { ssmCalendarOverrides } from "../adapters/calendars/ssm-calendar-overrides.js";
import { systemClock } from "../adapters/clock/system-clock.js";
import { DynamoDbCalendarHoldStore } from "../adapters/dynamodb/calendar-hold-store.js";
import { documentClient } from "../adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../adapters/dynamodb/notice-store.js";
import { EmfCalendarMetrics } from "../adapters/metrics/emf-calendar-metrics.js";
import { defaultMerchantTermsSchema } from "../domain/merchant/merchant-profile.js";
import { checkCalendarsEnvSchema } from "../shared/env.js";
import { logger, metrics } from "../shared/observability.js";
import { runCalendarCheck } from "../use-cases/run-calendar-check.js";
import { settlewatchHandler } from "./middy-stack.js";

const env = checkCalendarsEnvSchema.parse(process.env);
const db = documentClient(new DynamoDBClient({}));
const deps = {
  holds: new DynamoDbCalendarHoldStore(db, env.TABLE_NAME, env.DUE_SHARDS),
  // Each run reads the override afresh (the SSM reader caches for at most 5 minutes).
  calendars: new OverridableCalendarProvider(ssmCalendarOverrides(env.CALENDAR_OVERRIDES_PARAMETER), 0),
  merchants: new DynamoDbMerchantRepository(db, env.TABLE_NAME),
  notices: new DynamoDbNoticeStore(db, env.TABLE_NAME),
  clock: systemClock,
  metrics: new EmfCalendarMetrics(metrics),
  config: {
    horizonDays: env.CALENDAR_HORIZON_DAYS,
    defaultTerms: defaultMerchantTermsSchema.parse(JSON.parse(env.DEFAULT_MERCHANT_TERMS)),
    dueShards: env.DUE_SHARDS,
  },
};

/** EventBridge schedule → one calendar check (horizon coverage, held payments recomputed once covered). */
const checkCalendars = async () => {
  const report = await runCalendarCheck(deps);
  logger.info("calendar check done", { report });
  return report;
};

export const handler = settlewatchHandler(checkCalendars);
