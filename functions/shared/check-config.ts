import * as z from "zod";
import { escalationScheduleSchema } from "../domain/notification/escalation.js";
import type { AcquirerContact } from "../domain/notification/notice-text.js";
import { settlementFileExpectationSchema } from "../domain/overdue/settlement-file-expectation.js";
import type { OverdueCheckConfig } from "../use-cases/run-overdue-check.js";
import type { CheckOverdueEnv } from "./env.js";
import { smsDeliveryFrom, smsProvidersSettingsSchema, smsRoutingSchema } from "./sms-config.js";

/** Per acquirer: display names and hotline for the "what to do next" line of notices. */
export const acquirerContactsSchema = z
  .record(
    z.string(),
    z.strictObject({
      names: z.partialRecord(z.enum(["zh-CN", "en"]), z.string().min(1)).optional(),
      hotline: z.string().min(1).optional(),
    }),
  )
  // zod's optional keys admit `undefined`, the domain type's do not; the shapes are otherwise equal.
  .transform((contacts) => contacts as Record<string, AcquirerContact>);

/** The check's configuration from its environment (JSON values validated here, at init). */
export function checkConfigFromEnv(env: CheckOverdueEnv): OverdueCheckConfig {
  return {
    dueShards: env.DUE_SHARDS,
    escalationHours: escalationScheduleSchema.parse(JSON.parse(env.ESCALATION_HOURS)),
    fileExpectations: z
      .record(z.string(), settlementFileExpectationSchema)
      .parse(JSON.parse(env.SETTLEMENT_FILE_EXPECTATIONS)),
    noticeText: {
      acquirers: acquirerContactsSchema.parse(JSON.parse(env.ACQUIRER_CONTACTS)),
      smsDelivery: smsDeliveryFrom(
        smsRoutingSchema.parse(JSON.parse(env.SMS_ROUTING ?? '{"default":"sns"}')),
        smsProvidersSettingsSchema.parse(JSON.parse(env.SMS_PROVIDERS ?? "{}")),
      ),
    },
  };
}
