import { describe, expect, it } from "vitest";
import {
  type AcquirerFiles,
  classifyDuePayments,
  lateFileDays,
  settlementFileExpectationSchema,
  settlementFileStatus,
} from "../../../functions/domain/overdue/settlement-file-expectation.js";
import { payment } from "../notification/fixtures.js";

// WeChat Pay's bill for day D is expected D+1 10:00 Asia/Shanghai (02:00Z).
const wechat = (latestFileDay?: string): AcquirerFiles => ({
  expectation: settlementFileExpectationSchema.parse({ expectedBy: "10:00", timeZone: "Asia/Shanghai" }),
  latestFileDay,
});
const at = (iso: string) => new Date(iso);

describe("settlementFileStatus", () => {
  it("defaults daysAfter to 1 and resolves the expected time in the acquirer's zone", () => {
    const status = settlementFileStatus(wechat("2026-10-07"), "2026-10-08", at("2026-10-08T12:00:00Z"));
    expect(status).toEqual({
      state: "expected-later",
      expectedAt: at("2026-10-09T02:00:00.000Z"),
      awaitingFile: true,
      opsAlert: false,
    });
  });

  it("is late (ops alert) from the expected instant on, until the file is in", () => {
    expect(
      settlementFileStatus(wechat("2026-10-07"), "2026-10-08", at("2026-10-09T01:59:59.999Z")).state,
    ).toBe("expected-later");
    expect(
      settlementFileStatus(wechat("2026-10-07"), "2026-10-08", at("2026-10-09T02:00:00Z")),
    ).toMatchObject({
      state: "late",
      awaitingFile: true,
      opsAlert: true,
    });
  });

  it("is received when the latest file day is that day or later", () => {
    for (const latest of ["2026-10-08", "2026-10-10"]) {
      expect(settlementFileStatus(wechat(latest), "2026-10-08", at("2026-10-12T00:00:00Z"))).toMatchObject({
        state: "received",
        awaitingFile: false,
        opsAlert: false,
      });
    }
  });

  it("counts a file expected at a time skipped by DST from the change itself", () => {
    const files: AcquirerFiles = {
      expectation: { expectedBy: "02:30", timeZone: "America/New_York", daysAfter: 0 },
    };
    // 2026-03-08: New York clocks jump from 02:00 EST to 03:00 EDT (07:00Z).
    expect(settlementFileStatus(files, "2026-03-08", at("2026-03-08T06:59:00Z")).expectedAt).toEqual(
      at("2026-03-08T07:00:00Z"),
    );
  });

  it("rejects a malformed day", () => {
    expect(() => settlementFileStatus(wechat(), "2026-02-30", at("2026-03-08T00:00:00Z"))).toThrow(
      RangeError,
    );
  });
});

describe("lateFileDays", () => {
  it("lists the days after the latest file whose file is late, oldest first", () => {
    expect(lateFileDays(wechat("2026-10-05"), at("2026-10-08T03:00:00Z"))).toEqual([
      "2026-10-06",
      "2026-10-07",
    ]);
    expect(lateFileDays(wechat("2026-10-05"), at("2026-10-08T03:00:00Z"), 1)).toEqual(["2026-10-07"]);
    expect(lateFileDays(wechat("2026-10-07"), at("2026-10-08T03:00:00Z"))).toEqual([]);
    expect(lateFileDays(wechat(), at("2026-10-08T03:00:00Z"))).toEqual([]);
  });
});

describe("classifyDuePayments", () => {
  const due8 = payment({ paymentId: "p-8a" });
  const due8b = payment({ paymentId: "p-8b" });
  const notYet = payment({
    paymentId: "p-later",
    arrival: { dueDate: "2026-10-12", overdueAt: "2026-10-12T11:00:00Z" },
  });
  const alipay = payment({ acquirer: "alipay", paymentId: "p-ali" });

  it("holds an acquirer's payments while its file is missing, alerts ops once per acquirer and day", () => {
    const result = classifyDuePayments(
      [due8, due8b, notYet, alipay],
      { wechatpay: wechat("2026-10-07") },
      at("2026-10-09T03:00:00Z"),
    );
    expect(result.awaitingFile.map((p) => p.paymentId)).toEqual(["p-8a", "p-8b"]);
    // No expectation configured for alipay: decided on time alone.
    expect(result.overdue.map((p) => p.paymentId)).toEqual(["p-ali"]);
    expect(result.notDue.map((p) => p.paymentId)).toEqual(["p-later"]);
    expect(result.lateFiles).toEqual([
      {
        acquirer: "wechatpay",
        day: "2026-10-08",
        expectedAt: at("2026-10-09T02:00:00Z"),
        timeZone: "Asia/Shanghai",
        heldPayments: 2,
      },
    ]);
  });

  it("holds without alerting ops before the file is late", () => {
    const result = classifyDuePayments(
      [due8],
      { wechatpay: wechat("2026-10-07") },
      at("2026-10-08T12:00:00Z"),
    );
    expect(result.awaitingFile).toHaveLength(1);
    expect(result.lateFiles).toEqual([]);
  });

  it("once the file is in, payments still pending are overdue", () => {
    const result = classifyDuePayments(
      [due8, due8b],
      { wechatpay: wechat("2026-10-08") },
      at("2026-10-09T03:00:00Z"),
    );
    expect(result.overdue).toHaveLength(2);
    expect(result.awaitingFile).toEqual([]);
    expect(result.lateFiles).toEqual([]);
  });
});
