import * as z from "zod";
import { signInPolicySchema } from "../domain/merchant-page/sign-in-code.js";
import { platformCheckConfigSchema } from "./platform-check-config.js";

/**
 * The merchant page's settings, the same for the local monitor (`merchantPage` in the local config)
 * and AWS (the deployment's `merchantPage`, passed to the function as MERCHANT_PAGE JSON).
 */
export const merchantPageConfigSchema = z
  .strictObject({
    /**
     * The deployment's switch for the page: false leaves the page and its API out entirely (no
     * function, no routes on AWS; 404 on the local monitor). On by default.
     */
    enabled: z.boolean().default(true),
    signIn: signInPolicySchema,
    /** How many days back (trade dates) the outstanding list shows arrived payments (pending and overdue: all). */
    outstandingDays: z.number().int().min(1).max(62).default(7),
    /** Every sign-in answer takes at least this long (known and unknown numbers alike). */
    answerFloorMs: z.number().int().min(0).max(5000).default(400),
    /** Real-time order query with WeChat Pay / Alipay; absent: off. */
    platformCheck: platformCheckConfigSchema.optional(),
  })
  .default({
    enabled: true,
    signIn: { codesPerHour: 5, sessionHours: 24 * 30 },
    outstandingDays: 7,
    answerFloorMs: 400,
  });
export type MerchantPageConfig = z.infer<typeof merchantPageConfigSchema>;
