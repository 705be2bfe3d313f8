import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { settlewatchInProcess } from "../support/cli-in-process.js";
import { simulateInProcess } from "../support/simulation.js";

const run = promisify(execFile);

// The command as a process: each run that gets past its input starts its own DynamoDB Local (a
// JVM), up to 90 s on a busy 2-core machine. The runs that only vary the input simulate in this
// process on the suite's DynamoDB Local (simulateInProcess), the same function the command calls.
describe("settlewatch simulate", { timeout: 180_000 }, () => {
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
    // 30 Sep (business day) T+1 -> 8 Oct; HK 5 Oct (Monday) T+2 -> 7 Oct; both rules agree here.
    expect(
      output.payments.map((p: { paymentId: string; expectedBy: string }) => [p.paymentId, p.expectedBy]),
    ).toEqual([
      ["wx-1", "2026-10-08T10:00:00.000Z"],
      ["wx-2", "2026-10-08T10:00:00.000Z"],
      ["hk-1", "2026-10-07T09:00:00.000Z"],
    ]);
    expect(output.payments[0].explanation).toContain(
      "; counted strictly after the trade date (rule after-trade-date); 1–7 Oct National Day skipped; due 8 Oct 2026 18:00",
    );
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
    // No SMS config: SNS sends the texts; emails carry no provider.
    expect(output.notifications[0].provider).toBe("sns");
    expect(output.notifications[1].provider).toBeUndefined();
    expect(stdout).not.toContain("13800138000");
    expect(stdout).not.toContain("owner@example.com");
  });

  it("names the bad line of a broken confirmations file and exits 2", async () => {
    const broken = join(dir, "broken.jsonl");
    writeFileSync(broken, '{"acquirer":"wx"}\n{not json\n');
    // The command in this process (it stops on its input, before any JVM starts).
    const failure = await settlewatchInProcess(
      "simulate",
      "--merchants",
      merchants,
      "--confirmations",
      broken,
      "--as-of",
      "2026-10-08T12:00:00Z",
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain("line 2: not valid JSON");
  });

  it("applies a settlement file between checks: the late payment settles and the merchant gets one 'arrived' notice", async () => {
    const config = join(dir, "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        acquirerCsv: [
          {
            acquirer: "wx",
            columns: {
              reference: "txn_id",
              gross: "gross",
              fee: "fee",
              net: "net",
              currency: "currency",
              valueDate: "day",
              kind: "type",
            },
            kindValues: { PAY: "payment" },
          },
        ],
      }),
    );
    const settlement = join(dir, "wx.csv");
    writeFileSync(
      settlement,
      "txn_id,gross,fee,net,currency,day,type\nwx-1,128.50,0.77,127.73,CNY,2026-10-09,PAY\nwx-404,1.00,0.01,0.99,CNY,2026-10-09,PAY\n",
    );
    const output = await simulateInProcess(
      {
        merchantsFile: merchants,
        confirmationsFile: confirmations,
        settlementFiles: [`wx=${settlement}@2026-10-09T10:00:00Z`],
        asOf: ["2026-10-08T12:00:00Z", "2026-10-09T12:00:00Z"],
      },
      { configFile: config },
    );
    const status = Object.fromEntries(
      output.payments.map((p: { paymentId: string; status: string }) => [p.paymentId, p.status]),
    );
    expect(status).toMatchObject({ "wx-1": "SETTLED_LATE", "wx-2": "OVERDUE" });
    expect(output.unmatchedLines).toBe(1);
    const m1 = output.notifications.filter((n) => n.merchantId === "m-001");
    expect(m1.map((n) => [n.at, n.paymentIds])).toEqual([
      ["2026-10-08T12:00:00.000Z", ["wx-1", "wx-2"]],
      ["2026-10-09T12:00:00.000Z", ["wx-1"]],
      ["2026-10-09T12:00:00.000Z", ["wx-2"]],
    ]);
    expect(m1[1]?.text).toContain("到账通知");
  });

  describe("--settlement FILE without ACQUIRER= when the confirmations name two acquirers", () => {
    const config = join(dir, "config-infer.json");
    writeFileSync(
      config,
      JSON.stringify({
        acquirerCsv: [
          {
            acquirer: "wx",
            columns: {
              reference: "txn_id",
              net: "net",
              currency: "currency",
              valueDate: "day",
              kind: "type",
            },
            kindValues: { PAY: "payment" },
          },
        ],
      }),
    );
    const statement = (lines: string[]) =>
      [":20:STMT-1", ":25:HK00123456", ":28C:1/1", ":60F:C261007HKD0,00", ...lines, "-", ""].join("\r\n");
    const simulateInProcessWith = (...settlements: string[]) =>
      simulateInProcess(
        {
          merchantsFile: merchants,
          confirmationsFile: confirmations,
          settlementFiles: settlements,
          asOf: ["2026-10-09T12:00:00Z"],
        },
        { configFile: config },
      );
    // The refusals below stop before any DynamoDB Local starts: the command runs in this process.
    const simulateWith = (...settlements: string[]) =>
      settlewatchInProcess(
        "simulate",
        "--merchants",
        merchants,
        "--confirmations",
        confirmations,
        "--config",
        config,
        ...settlements.flatMap((file) => ["--settlement", file]),
        "--as-of",
        "2026-10-09T12:00:00Z",
      );

    it("takes each file for the acquirer it points to: a CSV mapping's layout, a payment id in a bank line", async () => {
      const csv = join(dir, "day.csv");
      writeFileSync(csv, "txn_id,net,currency,day,type\nwx-1,127.73,CNY,2026-10-09,PAY\n");
      const mt940 = join(dir, "bank.sta");
      writeFileSync(mt940, statement([":61:2610081008CK45,00NTRFhk-1//B1", ":62F:C261008HKD45,00"]));
      const output = await simulateInProcessWith(csv, mt940);
      expect(output.settlementFiles.map((f) => [f.file, f.acquirer, f.counts.read])).toEqual([
        [csv, "wx", 1],
        [mt940, "hk", 1],
      ]);
      const status = Object.fromEntries(
        output.payments.map((p: { paymentId: string; status: string }) => [p.paymentId, p.status]),
      );
      expect(status["wx-1"]).toMatch(/^SETTLED/);
    });

    it("refuses a file that fits both acquirers equally, naming them, and exits 2", async () => {
      const both = join(dir, "both.sta");
      writeFileSync(
        both,
        statement([
          ":61:2610081008CK45,00NTRFhk-1//B1",
          ":61:2610081008CK128,50NTRFwx-1//B2",
          ":62F:C261008HKD173,50",
        ]),
      );
      const failure = await simulateWith(both);
      expect(failure.code).toBe(2);
      expect(failure.stderr).toContain(`--settlement ${both}: cannot tell whose settlement file this is`);
      expect(failure.stderr).toContain("the acquirers hk, wx; write ACQUIRER=");
    });

    it("refuses a file nothing in which points to an acquirer", async () => {
      const stranger = join(dir, "stranger.sta");
      writeFileSync(stranger, statement([":61:2610081008CK9,00NTRFunknown-7//B3", ":62F:C261008HKD9,00"]));
      const failure = await simulateWith(stranger);
      expect(failure.code).toBe(2);
      expect(failure.stderr).toContain("nothing in it");
      expect(failure.stderr).toContain("hk, wx");
    });
  });
});
