import { createHash, timingSafeEqual } from "node:crypto";
import {
  aliyunReports,
  type ReportBatch,
  snsReports,
  tencentReports,
} from "../domain/notification/delivery-report.js";
import type { SmsProviderId } from "../domain/notification/sms-providers.js";
import {
  ForbiddenError,
  InvalidJsonError,
  InvalidRequestError,
  PayloadTooLargeError,
  UnauthorizedError,
} from "../use-cases/errors.js";
import type { SmsReportTokens } from "../use-cases/ports.js";
import {
  type DeliveryReportCounts,
  type RecordDeliveryReportsDeps,
  recordDeliveryReports,
} from "../use-cases/record-delivery-reports.js";
import { type HttpRequest, type HttpResponse, json } from "./http-types.js";
import type { Route } from "./routes.js";

/** Largest push accepted (Alibaba Cloud and Tencent batch a few hundred small reports at most). */
export const MAX_REPORT_BODY_BYTES = 256 * 1024;
/** The query parameter the provider consoles' callback URL carries the secret token in. */
export const REPORT_TOKEN_PARAMETER = "token";

export type SmsReportDeps = RecordDeliveryReportsDeps & { tokens: SmsReportTokens };

/** How each provider's push is read, and the answer it expects (Alibaba Cloud: code 0; Tencent: result 0). */
const PUSHES: Readonly<
  Record<
    SmsProviderId,
    {
      read: (body: unknown) => ReportBatch | { error: string };
      answer: (counts: DeliveryReportCounts & { skipped: number }) => Record<string, unknown>;
    }
  >
> = {
  aliyun: { read: aliyunReports, answer: (counts) => ({ code: 0, msg: "接收成功", counts }) },
  tencent: { read: tencentReports, answer: (counts) => ({ result: 0, errmsg: "OK", counts }) },
  // SNS pushes nothing over HTTP (its logs reach a Lambda); locally this takes the log records.
  sns: { read: (body) => snsReports(Array.isArray(body) ? body : [body]), answer: (counts) => ({ counts }) },
};

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * 401 without a token, 403 with a wrong one. Compared as sha256 digests with timingSafeEqual against
 * every current token (no early exit), so neither length nor content leaks through timing.
 */
export async function checkReportToken(request: HttpRequest, tokens: SmsReportTokens): Promise<void> {
  const given = request.query?.[REPORT_TOKEN_PARAMETER];
  if (!given) throw new UnauthorizedError(`missing ?${REPORT_TOKEN_PARAMETER}= on the callback URL`);
  const givenDigest = digest(given);
  let match = false;
  for (const token of await tokens.current()) match = timingSafeEqual(givenDigest, digest(token)) || match;
  if (!match) throw new ForbiddenError("the callback token is not valid");
}

/** POST /v1/sms-reports/{aliyun|tencent|sns}?token=…: a provider's delivery reports. */
export async function postSmsReports(
  provider: SmsProviderId,
  request: HttpRequest,
  deps: SmsReportDeps,
): Promise<HttpResponse> {
  await checkReportToken(request, deps.tokens);
  if (Buffer.byteLength(request.body, "utf8") > MAX_REPORT_BODY_BYTES)
    throw new PayloadTooLargeError(`body is larger than ${MAX_REPORT_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch (error) {
    throw new InvalidJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
  const push = PUSHES[provider];
  const batch = push.read(body);
  if ("error" in batch) throw new InvalidRequestError(batch.error);
  for (const _ of batch.skipped) deps.metrics.count("SmsReportsIgnored", provider);
  const counts = await recordDeliveryReports(batch.reports, deps);
  return json(200, push.answer({ ...counts, skipped: batch.skipped.length }));
}

/** The route, for the local monitor and the AWS reports function alike. */
export function smsReportsRoute(deps: SmsReportDeps): Route {
  return {
    method: "POST",
    pattern: /^\/v1\/sms-reports\/(aliyun|tencent|sns)$/,
    run: async ([provider], request) => await postSmsReports(provider as SmsProviderId, request, deps),
  };
}
