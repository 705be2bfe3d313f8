import { createHash } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbSettlementStore } from "../../functions/adapters/dynamodb/settlement-store.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { DUE_INDEX } from "../../functions/shared/table-schema.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import {
  type IngestSettlementFileInput,
  ingestSettlementFile,
} from "../../functions/use-cases/ingest-settlement-file.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { settlementDeps } from "../support/settlement.js";
import { dueMarkerKey, isDueListPartition, tableKeys } from "../support/table-items.js";

const now = new Date("2026-09-30T08:00:00Z");
const HEADER =
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";

/** One synthetic row of a WeChat Pay ALL trade bill (2026-09-30, merchant 1900000109). */
function row(options: {
  time: string;
  id: string;
  order: string;
  status: "SUCCESS" | "REVOKED";
  yuan: string;
  fee: string;
}) {
  const sale = options.status === "SUCCESS";
  const fields = [
    `2026-09-30 ${options.time}`,
    "wx8888888888888888",
    "1900000109",
    "0",
    "POS-01",
    options.id,
    options.order,
    "oUser",
    "MICROPAY",
    options.status,
    "OTHERS",
    "CNY",
    sale ? options.yuan : "0.00",
    "0.00",
    sale ? "0" : `5030${options.id}`,
    sale ? "0" : `R${options.order}`,
    sale ? "0.00" : options.yuan,
    "0.00",
    sale ? "" : "ORIGINAL",
    sale ? "" : "SUCCESS",
    "goods",
    "",
    sale ? options.fee : `-${options.fee}`,
    "0.60%",
    sale ? options.yuan : "0.00",
    sale ? "0.00" : options.yuan,
    "",
  ];
  return fields.map((field) => `\`${field}`).join(",");
}

/** A bill whose summary row agrees with its rows (control ok). */
function bill(rows: string[], summary: string[]) {
  const text = `${HEADER}\n${rows.join("\n")}\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n${summary.map((v) => `\`${v}`).join(",")}\n`;
  const bytes = Buffer.from(text, "utf8");
  return { bytes, fileId: createHash("sha256").update(bytes).digest("hex") };
}

function billInput(file: { bytes: Buffer; fileId: string }): IngestSettlementFileInput {
  return {
    fileId: file.fileId,
    acquirer: TEST_ACQUIRER,
    fileName: "wechat-ALL_2026-09-30.csv",
    format: "wechat-trade",
    open: async function* () {
      yield file.bytes;
    },
  };
}

describe("WeChat Pay bill: a SUCCESS row and a REVOKED row of the same order net to zero", () => {
  let table: TestTable;

  const item = async (paymentId: string) =>
    (
      await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, paymentId) }),
      )
    ).Item;
  const confirm = async (items: Array<Record<string, unknown>>) => {
    const wiring = ingestDeps(table, now);
    // As the monitor wires it: early settlement lines are matched when their confirmation arrives.
    const deps = { ...wiring.deps, settlement: new DynamoDbSettlementStore(wiring.db, table.tableName) };
    await deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const rawBody = JSON.stringify({ confirmations: items });
    const { results } = await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, now) }, deps);
    return results;
  };

  beforeEach(async () => {
    table = await createTestTable();
  });

  it("closes the payment as REVERSED, counts the lines as matched (reversed), and no alert follows", async () => {
    const answers = await confirm([
      confirmation({ paymentId: "4200000000000000000001", orderId: "S-1", amountMinor: 10000 }),
      confirmation({ paymentId: "4200000000000000000002", orderId: "S-2", amountMinor: 5000 }),
      confirmation({ paymentId: "4200000000000000000003", orderId: "S-3", amountMinor: 1250 }),
    ]);
    const file = bill(
      [
        row({
          time: "15:00:00",
          id: "4200000000000000000001",
          order: "S-1",
          status: "SUCCESS",
          yuan: "100.00",
          fee: "0.60000",
        }),
        row({
          time: "15:00:20",
          id: "4200000000000000000001",
          order: "S-1",
          status: "REVOKED",
          yuan: "100.00",
          fee: "0.60000",
        }),
        // The REVOKED row before its SUCCESS row: the same result.
        row({
          time: "15:01:00",
          id: "4200000000000000000002",
          order: "S-2",
          status: "REVOKED",
          yuan: "50.00",
          fee: "0.30000",
        }),
        row({
          time: "15:01:00",
          id: "4200000000000000000002",
          order: "S-2",
          status: "SUCCESS",
          yuan: "50.00",
          fee: "0.30000",
        }),
        row({
          time: "15:02:00",
          id: "4200000000000000000003",
          order: "S-3",
          status: "SUCCESS",
          yuan: "12.50",
          fee: "0.07500",
        }),
      ],
      ["5", "162.50", "150.00", "0.00", "0.07500", "162.50", "150.00"],
    );
    const { deps } = settlementDeps(table, new Date("2026-10-01T02:00:00Z"));
    const { file: report } = await ingestSettlementFile(billInput(file), deps);
    expect(report).toMatchObject({ status: "DONE", format: "wechat-trade", control: "ok" });
    expect(report.counts).toEqual({
      read: 5,
      matched: 5,
      settledLate: 0,
      reversed: 2,
      mismatched: 0,
      unmatched: 0,
      rejected: 0,
    });
    const { matched, mismatched, unmatched, rejected } = report.counts;
    expect(matched + mismatched + unmatched + rejected).toBe(report.counts.read);
    expect(report.topReasons.map((reason) => [reason.outcome, reason.reasonCode])).toContainEqual([
      "matched",
      "reversal",
    ]);

    for (const paymentId of ["4200000000000000000001", "4200000000000000000002"]) {
      const stored = await item(paymentId);
      expect([paymentId, stored?.status]).toEqual([paymentId, "REVERSED"]);
      // Whichever row came first: a SUCCESS row settling it while PENDING leaves its due entry (the
      // check skips it), a REVOKED row reversing it from PENDING removes it; never an escalation entry.
      expect(isDueListPartition(stored?.[DUE_INDEX.partitionKey], "escalation")).toBe(false);
      expect(stored?.settlementReversalLineKey).toEqual(expect.any(String));
    }
    expect((await item("4200000000000000000003"))?.status).toBe("SETTLED");

    // The same bill again: nothing changes.
    const again = await ingestSettlementFile(billInput(file), deps);
    expect(again.duplicate).toBe(true);

    // Long after every due time: each due entry is read once and skipped (none is PENDING), nobody is told.
    const latest = Math.max(
      ...answers.map((answer) => Date.parse(answer.status === "accepted" ? (answer.overdueAt ?? "") : "")),
    );
    const clock = new TestClock(new Date(latest + 7 * 24 * 3_600_000));
    const { check, drain, outbox } = checkDeps(table, clock);
    expect(await runOverdueCheck(check)).toMatchObject({ markedOverdue: 0, noticesScheduled: 0 });
    clock.set(new Date(latest + 8 * 24 * 3_600_000).toISOString());
    expect(await runOverdueCheck(check)).toMatchObject({ examined: 0, markedOverdue: 0 });
    await drain();
    expect(outbox.sent).toEqual([]);
  });

  it("a REVOKED row before the confirmation waits, and the payment is REVERSED when it arrives", async () => {
    const file = bill(
      [
        row({
          time: "15:00:00",
          id: "4200000000000000000009",
          order: "S-9",
          status: "SUCCESS",
          yuan: "100.00",
          fee: "0.60000",
        }),
        row({
          time: "15:00:20",
          id: "4200000000000000000009",
          order: "S-9",
          status: "REVOKED",
          yuan: "100.00",
          fee: "0.60000",
        }),
      ],
      ["2", "100.00", "100.00", "0.00", "0.00000", "100.00", "100.00"],
    );
    const { deps } = settlementDeps(table, new Date("2026-10-01T02:00:00Z"));
    const { file: report } = await ingestSettlementFile(billInput(file), deps);
    expect(report.counts).toMatchObject({ read: 2, unmatched: 2 });
    const [answer] = await confirm([
      confirmation({ paymentId: "4200000000000000000009", orderId: "S-9", amountMinor: 10000 }),
    ]);
    expect(answer).toMatchObject({ status: "accepted" });
    const stored = await item("4200000000000000000009");
    expect(stored).toMatchObject({ entity: "payment", status: "REVERSED" });
    // Confirmed PENDING, its waiting SUCCESS row settled it (its day's due marker stays, the check skips it).
    const markerKey = dueMarkerKey(
      String(stored?.tradeDate),
      String(stored?.merchantId),
      String(stored?.overdueAt),
    );
    const marker = await table.client.send(new GetCommand({ TableName: table.tableName, Key: markerKey }));
    expect(marker.Item?.entity).toBe("due-marker");
  });
});
