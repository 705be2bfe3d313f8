import { describe, expect, it } from "vitest";
import {
  parseReportTokens,
  StaticReportTokens,
} from "../../../functions/adapters/secrets/secrets-manager-report-tokens.js";
import {
  aliyunReports,
  decideFallback,
  fallbackNoticeId,
  MAX_REPORTS_PER_PUSH,
  snsReports,
  tencentReports,
} from "../../../functions/domain/notification/delivery-report.js";
import { checkReportToken } from "../../../functions/http/sms-report-route.js";
import { ForbiddenError, UnauthorizedError } from "../../../functions/use-cases/errors.js";

const ID = "a".repeat(64);

describe("delivery reports in one shape", () => {
  it("reads Alibaba Cloud's SmsReport: success, err_code, biz_id, out_id (a notice id only if it is one)", () => {
    expect(
      aliyunReports([
        { success: true, err_code: "DELIVERED", biz_id: "b1", out_id: ID, phone_number: "138****" },
        { success: false, err_code: "MK:0001", biz_id: "b2", out_id: "67890" },
      ]),
    ).toEqual({
      reports: [
        {
          provider: "aliyun",
          noticeId: ID,
          providerMessageId: "b1",
          state: "DELIVERED",
          errorCode: "DELIVERED",
        },
        {
          provider: "aliyun",
          noticeId: undefined,
          providerMessageId: "b2",
          state: "FAILED",
          errorCode: "MK:0001",
        },
      ],
      skipped: [],
    });
  });

  it("reads Tencent's callback: report_status, errmsg, sid, and ext / SessionContext when present", () => {
    const batch = tencentReports([
      { report_status: "FAIL", errmsg: "MN:0001", sid: "s1", mobile: "13800138000" },
      { report_status: "SUCCESS", errmsg: "DELIVRD", sid: "s2", ext: ID },
      { report_status: "MAYBE", sid: "s3" },
    ]);
    expect(batch).toMatchObject({
      reports: [
        { provider: "tencent", providerMessageId: "s1", state: "FAILED", errorCode: "MN:0001" },
        { provider: "tencent", noticeId: ID, providerMessageId: "s2", state: "DELIVERED" },
      ],
      skipped: [{ index: 2 }],
    });
  });

  it("reads SNS delivery-status log records by messageId; FAILURE keeps providerResponse", () => {
    const batch = snsReports([
      {
        notification: { messageId: "m1" },
        delivery: { providerResponse: "Unknown error" },
        status: "FAILURE",
      },
      { notification: { messageId: "m2" }, status: "SUCCESS" },
      "not json",
    ]);
    expect(batch).toMatchObject({
      reports: [
        { provider: "sns", providerMessageId: "m1", state: "FAILED", errorCode: "Unknown error" },
        { provider: "sns", providerMessageId: "m2", state: "DELIVERED" },
      ],
      skipped: [{ index: 2 }],
    });
  });

  it("refuses a body that is not an array, or too many reports; cuts codes to 100 characters", () => {
    expect(aliyunReports({ success: true })).toEqual({
      error: "body must be a JSON array of delivery reports",
    });
    expect(aliyunReports(Array.from({ length: MAX_REPORTS_PER_PUSH + 1 }, () => ({})))).toHaveProperty(
      "error",
    );
    const [report] = (
      aliyunReports([{ success: false, err_code: "x".repeat(400), out_id: ID }]) as {
        reports: Array<{ errorCode?: string }>;
      }
    ).reports;
    expect(report?.errorCode).toHaveLength(100);
  });
});

describe("email fallback decision", () => {
  const contact = (extra: Record<string, unknown>) =>
    ({ contact: { language: "zh-CN", channels: ["sms"], phone: "+8613800138000", ...extra } }) as never;

  it("falls back to email under an id derived from the notice (the same for every report)", () => {
    expect(decideFallback(ID, contact({ email: "o@example.com" }))).toEqual({
      channel: "email",
      noticeId: fallbackNoticeId(ID, "email"),
    });
    expect(fallbackNoticeId(ID, "email")).toMatch(/^[0-9a-f]{64}$/);
    expect(fallbackNoticeId(ID, "email")).not.toBe(fallbackNoticeId("b".repeat(64), "email"));
  });

  it("says why there is none: no email, already sent by email, no profile", () => {
    expect(decideFallback(ID, contact({}))).toEqual({
      channel: "none",
      reason: "merchant has no other channel (no email address)",
    });
    expect(decideFallback(ID, contact({ email: "o@example.com", channels: ["sms", "email"] }))).toMatchObject(
      {
        channel: "none",
      },
    );
    expect(decideFallback(ID, undefined)).toEqual({ channel: "none", reason: "merchant profile not found" });
  });
});

describe("the callback token", () => {
  const token = "t".repeat(40);
  const request = (query?: Record<string, string>) => ({
    method: "POST",
    path: "/v1/sms-reports/aliyun",
    headers: {},
    body: "[]",
    ...(query ? { query } : {}),
  });

  it("401 without one, 403 with a wrong one, passes with any current one (rotation)", async () => {
    const tokens = new StaticReportTokens([token, "p".repeat(40)]);
    await expect(checkReportToken(request(), tokens)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(checkReportToken(request({ token: "" }), tokens)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(checkReportToken(request({ token: `${token}x` }), tokens)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(checkReportToken(request({ token }), tokens)).resolves.toBeUndefined();
    await expect(checkReportToken(request({ token: "p".repeat(40) }), tokens)).resolves.toBeUndefined();
    await expect(checkReportToken(request({ token }), new StaticReportTokens([]))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it("reads a secret as one token or a JSON array, dropping short or malformed ones", () => {
    expect(parseReportTokens(` ${token}\n`)).toEqual([token]);
    expect(parseReportTokens(JSON.stringify([token, "short", 7]))).toEqual([token]);
    expect(parseReportTokens("[broken")).toEqual([]);
    expect(parseReportTokens("short")).toEqual([]);
  });
});
