import { z } from "zod";
import { escalationScheduleSchema } from "../domain/notification/escalation.js";
import { settlementFileExpectationSchema } from "../domain/overdue/settlement-file-expectation.js";
import type { OverdueCheckConfig } from "../use-cases/run-overdue-check.js";
import type { CheckOverdueEnv } from "./env.js";

const acquirerContactSchema = z.strictObject({
  names: z.partialRecord(z.enum(["zh-CN", "en"]), z.string().min(1)).optional(),
  hotline: z.string().min(1).optional(),
});

/** The check's configuration from its environment (JSON values validated here, at init). */
export function checkConfigFromEnv(env: CheckOverdueEnv): OverdueCheckConfig {
  return {
    dueShards: env.DUE_SHARDS,
    escalationHours: escalationScheduleSchema.parse(JSON.parse(env.ESCALATION_HOURS)),
    fileExpectations: z
      .record(z.string(), settlementFileExpectationSchema)
      .parse(JSON.parse(env.SETTLEMENT_FILE_EXPECTATIONS)),
    noticeText: {
      acquirers: z
        .record(z.string(), acquirerContactSchema)
        .parse(JSON.parse(env.ACQUIRER_CONTACTS)) as NonNullable<
        NonNullable<OverdueCheckConfig["noticeText"]>["acquirers"]
      >,
    },
  };
}
