import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("settlewatch simulate", () => {
  const dir = mkdtempSync(join(tmpdir(), "settlewatch-sim-"));
  const merchants = join(dir, "merchants.json");
  const confirmations = join(dir, "confirmations.jsonl");
  writeFileSync(
    merchants,
    JSON.stringify([
      {
        merchantId: "m-001",
        name: "Dumplings",
        timeZone: "Asia/Shanghai",
        calendar: "CN",
        settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 },
        contact: { phone: "+8613800138000", language: "zh-CN", channels: ["sms"] },
      },
      {
        merchantId: "m-002",
        name: "Harbour Cafe",
        timeZone: "Asia/Hong_Kong",
        calendar: "HK",
        settlement: { cycle: "T+2", arrivalBy: "17:00", graceMinutes: 120 },
        contact: { email: "owner@example.com", language: "en", channels: ["email"] },
      },
    ]),
  );
  writeFileSync(
    confirmations,
    [
      {
        acquirer: "wx",
        paymentId: "wx-1",
        merchantId: "m-001",
        amountMinor: 12850,
        currency: "CNY",
        confirmedAt: "2026-09-30T15:00:00+08:00",
      },
      {
        acquirer: "wx",
        paymentId: "wx-2",
        merchantId: "m-001",
        amountMinor: 115600,
        currency: "CNY",
        confirmedAt: "2026-09-30T16:20:00+08:00",
      },
      {
        acquirer: "hk",
        paymentId: "hk-1",
        merchantId: "m-002",
        amountMinor: 4500,
        currency: "HKD",
        confirmedAt: "2026-10-05T12:00:00+08:00",
      },
      {
        acquirer: "hk",
        paymentId: "hk-bad",
        merchantId: "m-002",
        amountMinor: 1.5,
        currency: "HKD",
        confirmedAt: "2026-10-05T12:00:00+08:00",
      },
    ]
      .map((line) => JSON.stringify(line))
      .join("\n"),
  );

  it("prints payments, one digest per merchant per run with masked addresses, escalation at 24 h", async () => {
    const { stdout } = await run("node", [
      "bin/settlewatch.js",
      "simulate",
      "--merchants",
      merchants,
      "--confirmations",
      confirmations,
      "--as-of",
      "2026-10-08T12:00:00Z",
      "--as-of",
      "2026-10-08T12:05:00Z",
      "--as-of",
      "2026-10-09T12:00:00Z",
      "--json",
    ]);
    const output = JSON.parse(stdout);
    expect(output.asOf).toEqual([
      "2026-10-08T12:00:00.000Z",
      "2026-10-08T12:05:00.000Z",
      "2026-10-09T12:00:00.000Z",
    ]);
    expect(
      output.payments.map((p: { paymentId: string; status: string }) => [p.paymentId, p.status]),
    ).toEqual([
      ["wx-1", "OVERDUE"],
      ["wx-2", "OVERDUE"],
      ["hk-1", "OVERDUE"],
    ]);
    expect(output.rejectedConfirmations).toEqual([
      { line: 4, errors: [expect.stringContaining("amountMinor")] },
    ]);
    const sent = output.notifications.map(
      (n: { merchantId: string; channel: string; to: string; at: string }) => [
        n.merchantId,
        n.channel,
        n.to,
        n.at,
      ],
    );
    expect(sent).toEqual([
      ["m-001", "sms", "+86138****8000", "2026-10-08T12:00:00.000Z"],
      ["m-002", "email", "o***@example.com", "2026-10-08T12:00:00.000Z"],
      ["m-001", "sms", "+86138****8000", "2026-10-09T12:00:00.000Z"],
      ["m-002", "email", "o***@example.com", "2026-10-09T12:00:00.000Z"],
    ]);
    expect(output.notifications[0].text).toContain("¥1,284.50");
    expect(output.notifications[0].paymentIds).toEqual(["wx-1", "wx-2"]);
    expect(stdout).not.toContain("13800138000");
    expect(stdout).not.toContain("owner@example.com");
  });

  it("names the bad line of a broken confirmations file and exits 2", async () => {
    const broken = join(dir, "broken.jsonl");
    writeFileSync(broken, '{"acquirer":"wx"}\n{not json\n');
    const failure = await run("node", [
      "bin/settlewatch.js",
      "simulate",
      "--merchants",
      merchants,
      "--confirmations",
      broken,
      "--as-of",
      "2026-10-08T12:00:00Z",
    ]).catch((error: { code: number; stderr: string }) => error);
    expect("code" in failure ? failure.code : 0).toBe(2);
    expect(failure.stderr).toContain("line 2: not valid JSON");
  });
});
