import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { beforeEach, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbOpenPaymentStatsStore } from "../../functions/adapters/dynamodb/open-payment-stats-store.js";
import { changeOfStreamRecord } from "../../functions/adapters/dynamodb/stream-records.js";
import { validateConfirmation } from "../../functions/domain/confirmation/confirmation.js";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { confirmationFingerprint } from "../../functions/domain/payment/payment.js";
import { postConfirmations } from "../../functions/http/routes.js";
import { AMOUNT_INDEX, DUE_INDEX } from "../../functions/shared/table-schema.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import { ingestSettlementFile } from "../../functions/use-cases/ingest-settlement-file.js";
import { countTableChanges } from "../../functions/use-cases/open-payment-stats.js";
import { runOverdueCheck } from "../../functions/use-cases/run-overdue-check.js";
import { LocalTableStreamReader } from "../../local/table-stream.js";
import { checkDeps, TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, RecordingMetrics, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { csvFile, fileInput, settlementDeps } from "../support/settlement.js";
import {
  amountSortPrefix,
  isDueListPartition,
  onDueList as onDueListIn,
  tableKeys,
} from "../support/table-items.js";

// biome-ignore lint/suspicious/noExplicitAny: the answer's JSON, read field by field in assertions
type Answer = Record<string, any>;
const now = new Date("2026-09-30T08:00:00Z");
const HOUR = 3_600_000;

/** A reversal (void) of `originalPaymentId`, by default of its whole amount. */
const reversal = (paymentId: string, originalPaymentId: string, overrides: Record<string, unknown> = {}) =>
  confirmation({ paymentId, kind: "reversal", originalPaymentId, orderId: undefined, ...overrides });

describe("reversals close the original payment (POST /v1/confirmations on DynamoDB Local)", () => {
  let table: TestTable;
  let wiring: ReturnType<typeof ingestDeps>;

  /** The webhook route the local server and the Lambda handler both call. */
  const post = async (payload: unknown) => {
    const body = JSON.stringify(payload);
    const response = await postConfirmations(
      {
        method: "POST",
        path: "/v1/confirmations",
        headers: { "settlewatch-signature": signed(body, now) },
        body,
      },
      wiring.deps,
    );
    return { status: response.statusCode, body: JSON.parse(response.body) as Answer };
  };
  const item = async (paymentId: string) =>
    (
      await wiring.db.send(
        new GetCommand({ TableName: table.tableName, Key: tableKeys.payment(TEST_ACQUIRER, paymentId) }),
      )
    ).Item;
  /** Every due-index entry (due and escalation partitions alike) of a payment. */
  const indexEntries = async (paymentId: string) => {
    const { Items } = await wiring.db.send(
      new ScanCommand({
        TableName: table.tableName,
        IndexName: DUE_INDEX.name,
        FilterExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": tableKeys.payment(TEST_ACQUIRER, paymentId).pk },
      }),
    );
    return Items ?? [];
  };
  /** On the due list: by an entry of its own, or (issue 14) by its merchant day's due marker. */
  const onDueList = async (paymentId: string) =>
    onDueListIn(table.client, table.tableName, await item(paymentId));
  /** Runs the overdue check at `at` and delivers what it queued. */
  const checkAt = async (at: string | number) => {
    const clock = new TestClock(new Date(at));
    const { check, drain, outbox } = checkDeps(table, clock);
    const report = await runOverdueCheck(check);
    await drain();
    return { report, sent: outbox.sent };
  };

  beforeEach(async () => {
    table = await createTestTable();
    wiring = ingestDeps(table, now);
    await wiring.deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
  });

  it("a void after its original: PENDING → REVERSED, off the due index, never alerted", async () => {
    const original = await post(confirmation({ paymentId: "p-1" }));
    expect(original.status).toBe(201);
    expect(await onDueList("p-1")).toBe(true);

    const voided = await post(reversal("v-1", "p-1"));
    expect(voided.status).toBe(201);
    expect(voided.body).toMatchObject({
      status: "accepted",
      paymentStatus: "RECORDED",
      reversals: [
        { reversalId: "v-1", originalPaymentId: "p-1", outcome: "applied", reasonCode: "reversed" },
      ],
    });
    expect(voided.body.explanation).toContain("PENDING → REVERSED");

    expect(await item("p-1")).toMatchObject({ status: "REVERSED", amountMinor: 12850, reversalIds: ["v-1"] });
    expect((await item("p-1"))?.[DUE_INDEX.partitionKey]).toBeUndefined();
    expect(await indexEntries("p-1")).toEqual([]);
    expect(await item("v-1")).toMatchObject({
      status: "RECORDED",
      kind: "reversal",
      originalPaymentId: "p-1",
    });

    const overdueAt = Date.parse(original.body.overdueAt);
    const { report, sent } = await checkAt(overdueAt + 24 * HOUR);
    // Its day's due marker reads it once (the marker stays); REVERSED, it is skipped.
    expect(report).toMatchObject({ examined: 1, markedOverdue: 0, noticesScheduled: 0 });
    expect(sent).toEqual([]);
    expect((await item("p-1"))?.status).toBe("REVERSED");
  });

  it("a void of an OVERDUE payment leaves the escalation partition: no reminder follows", async () => {
    const original = await post(confirmation({ paymentId: "p-late" }));
    const overdueAt = Date.parse(original.body.overdueAt);
    const first = await checkAt(overdueAt);
    expect(first.report.markedOverdue).toBe(1);
    expect(first.sent).toHaveLength(1);
    expect(isDueListPartition((await item("p-late"))?.[DUE_INDEX.partitionKey], "escalation")).toBe(true);

    const voided = await post(reversal("v-late", "p-late"));
    expect(voided.body.reversals[0]).toMatchObject({ reasonCode: "reversed" });
    expect(voided.body.explanation).toContain("OVERDUE → REVERSED");
    expect(await indexEntries("p-late")).toEqual([]);

    for (const hours of [24, 72, 24 * 30]) {
      const later = await checkAt(overdueAt + hours * HOUR);
      expect(later.report).toMatchObject({ examined: 0, noticesScheduled: 0 });
      expect(later.sent).toEqual([]);
    }
  });

  it("a void before its original is kept, and the original is stored REVERSED, never due", async () => {
    const early = await post(reversal("v-2", "p-2"));
    expect(early.status).toBe(201);
    expect(early.body.reversals).toEqual([
      expect.objectContaining({ outcome: "waiting", reasonCode: "awaiting-original" }),
    ]);
    // It waits on the original's key, which is not a payment yet.
    expect(await item("p-2")).toMatchObject({ entity: "pending-lines", pendingReversalIds: ["v-2"] });
    expect(await wiring.deps.payments.get(TEST_ACQUIRER, "p-2")).toBeUndefined();

    const original = await post(confirmation({ paymentId: "p-2" }));
    expect(original.status).toBe(201);
    expect(original.body).toMatchObject({
      status: "accepted",
      paymentStatus: "REVERSED",
      reversals: [{ reversalId: "v-2", outcome: "applied", reasonCode: "reversed" }],
    });
    const stored = await item("p-2");
    expect(stored).toMatchObject({ entity: "payment", status: "REVERSED", reversalIds: ["v-2"] });
    expect(stored?.pendingReversals).toBeUndefined();
    expect(await indexEntries("p-2")).toEqual([]);

    // The original re-delivered is a duplicate; the reversal re-delivered is a replay.
    expect((await post(confirmation({ paymentId: "p-2" }))).body).toMatchObject({
      status: "duplicate",
      paymentStatus: "REVERSED",
    });
    expect((await post(reversal("v-2", "p-2"))).body.reversals[0]).toMatchObject({ reasonCode: "replay" });

    const { report, sent } = await checkAt(Date.parse(original.body.overdueAt) + HOUR);
    expect(report.noticesScheduled).toBe(0);
    expect(sent).toEqual([]);
  });

  it("out of order inside one batch, both ways: the original ends REVERSED", async () => {
    const answer = await post({
      confirmations: [
        reversal("v-a", "p-a"),
        confirmation({ paymentId: "p-a", orderId: "ORD-A" }),
        confirmation({ paymentId: "p-b", orderId: "ORD-B" }),
        reversal("v-b", "p-b"),
      ],
    });
    expect(answer.body.counts).toEqual({ accepted: 4, duplicate: 0, conflict: 0, rejected: 0 });
    for (const paymentId of ["p-a", "p-b"]) {
      expect(await item(paymentId)).toMatchObject({ status: "REVERSED" });
      expect(await indexEntries(paymentId)).toEqual([]);
    }
  });

  it("a partial reversal lowers the amount still expected (and what the overdue notice says)", async () => {
    const original = await post(confirmation({ paymentId: "p-3", amountMinor: 12850 }));
    const partial = await post(reversal("v-3", "p-3", { amountMinor: 2850 }));
    expect(partial.body.reversals[0]).toMatchObject({ outcome: "applied", reasonCode: "reversed-partial" });

    const stored = await item("p-3");
    expect(stored).toMatchObject({
      status: "PENDING",
      amountMinor: 10000,
      reversedMinor: 2850,
      reversalIds: ["v-3"],
    });
    // Still due, and findable by the amount now expected (settlement matching's window rung).
    expect(await onDueList("p-3")).toBe(true);
    expect(String(stored?.[AMOUNT_INDEX.sortKey])).toMatch(
      new RegExp(`^${amountSortPrefix("CNY", 10000)}${String(stored?.confirmedAtUtc)}#`),
    );

    // Re-delivered: not applied twice.
    const again = await post(reversal("v-3", "p-3", { amountMinor: 2850 }));
    expect(again.body).toMatchObject({ status: "duplicate", reversals: [{ reasonCode: "replay" }] });
    expect((await item("p-3"))?.amountMinor).toBe(10000);

    // More than is still expected is refused; nothing changes.
    const tooMuch = await post(reversal("v-3b", "p-3", { amountMinor: 10001 }));
    expect(tooMuch.body.reversals[0]).toMatchObject({ outcome: "refused", reasonCode: "amount" });
    expect(await item("p-3")).toMatchObject({ status: "PENDING", amountMinor: 10000 });

    const { sent } = await checkAt(Date.parse(original.body.overdueAt));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("¥100.00");
    expect(sent[0]?.text).not.toContain("¥128.50");
  });

  it("a reversal stored but not applied (a crash in between) is applied by the acquirer's retry", async () => {
    await post(confirmation({ paymentId: "p-4" }));
    // The reversal item alone, as a run that died after its write would leave it.
    const lost = await post(reversal("v-4", "p-404"));
    expect(lost.body.reversals[0].reasonCode).toBe("awaiting-original");
    const { payments } = wiring.deps;
    const storedOnly = await payments.get(TEST_ACQUIRER, "v-4");
    const validated = validateConfirmation(reversal("v-4b", "p-4"), now);
    if (!storedOnly || !validated.ok) throw new Error("reversal not stored");
    const fingerprint = confirmationFingerprint(validated.value);
    await payments.insert({ ...storedOnly, paymentId: "v-4b", originalPaymentId: "p-4", fingerprint });
    expect((await item("p-4"))?.status).toBe("PENDING");

    const retried = await post(reversal("v-4b", "p-4"));
    expect(retried.body).toMatchObject({ status: "duplicate", reversals: [{ reasonCode: "reversed" }] });
    expect(await item("p-4")).toMatchObject({ status: "REVERSED", reversalIds: ["v-4b"] });
  });

  it("after settlement a reversal or refund is a refund: the sale stays SETTLED, the debit comes in a later file", async () => {
    await post(confirmation({ paymentId: "p-6", orderId: "O-6", amountMinor: 12850 }));
    const settle = settlementDeps(table, new Date("2026-10-08T12:00:00Z"));
    await ingestSettlementFile(
      fileInput(csvFile(["p-6,O-6,m-shanghai-001,128.50,0.77,127.73,CNY,2026-10-08,PAY"])),
      settle.deps,
    );
    expect((await item("p-6"))?.status).toBe("SETTLED");

    const late = await post(reversal("v-6", "p-6", { amountMinor: 10000 }));
    expect(late.body.reversals[0]).toMatchObject({
      outcome: "none",
      reasonCode: "reversed-after-settlement",
    });
    expect(late.body.explanation).toContain("expected as a debit");
    const refund = await post(
      confirmation({ paymentId: "r-6", kind: "refund", originalPaymentId: "p-6", amountMinor: 1000 }),
    );
    expect(refund.body).toMatchObject({ status: "accepted", paymentStatus: "RECORDED", expectedBy: null });
    expect(refund.body.explanation).toContain("expected as a debit");
    expect(await item("p-6")).toMatchObject({ status: "SETTLED", amountMinor: 12850 });
    // Settled while PENDING: only its day's due marker is left (the check skips it); no entry of its own.
    expect(await indexEntries("p-6")).toEqual([]);
    expect(await onDueList("p-6")).toBe(true);

    // The next file carries both debits, each naming its own confirmation: matched to the sale as refunds.
    const { file } = await ingestSettlementFile(
      fileInput(
        csvFile([
          "v-6,O-6,m-shanghai-001,100.00,0.00,100.00,CNY,2026-10-09,REFUND",
          "r-6,O-6,m-shanghai-001,10.00,0.00,10.00,CNY,2026-10-09,REFUND",
        ]),
      ),
      settlementDeps(table, new Date("2026-10-09T12:00:00Z")).deps,
    );
    expect(file.counts).toMatchObject({ read: 2, matched: 2, mismatched: 0, unmatched: 0 });
    expect(await item("p-6")).toMatchObject({ status: "SETTLED", refundedMinor: 11000 });
  });

  it("a reversal of another merchant's payment is refused and changes nothing", async () => {
    await post(confirmation({ paymentId: "p-5" }));
    const answer = await post(reversal("v-5", "p-5", { merchantId: "m-other" }));
    expect(answer.body.reversals[0]).toMatchObject({ outcome: "refused", reasonCode: "merchant" });
    expect(await item("p-5")).toMatchObject({ status: "PENDING" });
    expect(await onDueList("p-5")).toBe(true);
  });
});

describe("reversals on the open-payment counters (the table's stream, DynamoDB Local)", () => {
  it("a void takes the payment out of the open counters, a partial one lowers the amount, each counted once", async () => {
    const table = await createTestTable({ stream: true });
    const stream = new LocalTableStreamReader(table.client, table.tableName, table.endpoint);
    const stats = new DynamoDbOpenPaymentStatsStore(documentClient(table.client), table.tableName);
    const wiring = ingestDeps(table, now);
    await wiring.deps.merchants.put(merchantProfileSchema.parse(SHANGHAI_MERCHANT));
    const post = async (items: unknown[]) => {
      const rawBody = JSON.stringify({ confirmations: items });
      const { results } = await ingestConfirmations(
        { rawBody, signatureHeader: signed(rawBody, now) },
        wiring.deps,
      );
      expect(results.map((result) => result.status)).toEqual(items.map(() => "accepted"));
    };
    const metrics = new RecordingMetrics();
    const count = async () =>
      await countTableChanges((await stream.readNew()).map(changeOfStreamRecord), { stats, metrics });

    await post([
      confirmation({ paymentId: "c-1", amountMinor: 10000, orderId: "O-1" }),
      confirmation({ paymentId: "c-2", amountMinor: 20000, orderId: "O-2" }),
      reversal("cv-3", "c-3", { amountMinor: 5000 }),
    ]);
    await count();
    expect(await stats.totals()).toEqual([
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "CNY", count: 2, amountMinor: 30000n },
    ]);

    await post([
      reversal("cv-1", "c-1", { amountMinor: 10000 }),
      reversal("cv-2", "c-2", { amountMinor: 1500 }),
      confirmation({ paymentId: "c-3", amountMinor: 5000, orderId: "O-3" }),
    ]);
    const result = await count();
    // c-1 voided, c-2 lowered to 185.00, c-3 stored already REVERSED: never open.
    expect(await stats.totals()).toEqual([
      { acquirer: TEST_ACQUIRER, state: "PENDING", currency: "CNY", count: 1, amountMinor: 18500n },
    ]);
    expect(metrics.get("PaymentsReversed")).toBe(2);

    // The same changes delivered again count nothing.
    expect(result.counted).toBeGreaterThan(0);
    expect((await count()).counted).toBe(0);
  });
});
