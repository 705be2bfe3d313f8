import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { ORDER_INDEX } from "../../functions/shared/table-schema.js";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { CSV_HEADER, TEST_CSV_MAPPING } from "../support/settlement.js";
import { tableKeys } from "../support/table-items.js";

// Issue 14: an acquirer whose files name every payment by its id may switch off the order index
// (`matchByOrderNumber: false`), saving a write unit per payment that carries an order number. Through
// the local monitor: what is stored, and how each acquirer's order-number-only lines are then matched.
const LEAN = "acq-lean";
const M = SHANGHAI_MERCHANT.merchantId;

describe("matchByOrderNumber: false files no order-index entry; its lines match by payment id or window", () => {
  let monitor: LocalMonitor;
  let tableName = "";
  const dataDir = mkdtempSync(join(tmpdir(), "settlewatch-order-filing-"));
  const client = localDynamoDbClient(inject("dynamoDbEndpoint"));
  const db = documentClient(client);

  const send = async (path: string, init: RequestInit) => await fetch(`${monitor.url}${path}`, init);
  const confirm = async (acquirer: string, paymentId: string, orderId: string, amountMinor: number) => {
    const body = JSON.stringify(confirmation({ acquirer, paymentId, orderId, amountMinor }));
    const response = await send("/v1/confirmations", {
      method: "POST",
      headers: { "settlewatch-signature": signed(body, new Date()) },
      body,
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { status: string }).status).toBe("accepted");
  };
  const storedItem = async (acquirer: string, paymentId: string) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: tableKeys.payment(acquirer, paymentId) })))
      .Item;
  const statusOf = async (acquirer: string, paymentId: string) =>
    ((await (await send(`/v1/payments/${acquirer}/${paymentId}`, {})).json()) as { status: string }).status;
  /** The same two lines for each acquirer: the acquirer's own transaction ids (not the payment ids), and order numbers. */
  const upload = async (acquirer: string) => {
    const file = [
      CSV_HEADER,
      `T-${acquirer}-1,ORD-A,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY`, // its payment's amount: the window finds it too
      `T-${acquirer}-2,ORD-B,${M},99.00,0.59,98.41,CNY,2026-10-08,PAY`, // not its payment's amount (77.00)
    ].join("\n");
    const response = await send(`/v1/settlement-files?acquirer=${acquirer}&fileName=${acquirer}.csv`, {
      method: "POST",
      body: `${file}\n`,
    });
    expect(response.status).toBe(201);
    const { file: stored } = (await response.json()) as { file: { fileId: string } };
    return (await (await send(`/v1/settlement-files/${stored.fileId}`, {})).json()) as {
      counts: Record<string, number>;
      keptLines: Array<{ source: number; reasonCode: string; reason: string }>;
    };
  };

  beforeAll(async () => {
    const config = loadLocalConfig({
      cwd: dataDir,
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({
          [TEST_ACQUIRER]: [TEST_SECRET],
          [LEAN]: [TEST_SECRET],
        }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = tableName = `order-filing-${Date.now()}`;
    config.acquirerCsv = TEST_CSV_MAPPING;
    config.matchByOrderNumber = { [LEAN]: false };
    monitor = await startLocalMonitor(config, { dynamoDbEndpoint: inject("dynamoDbEndpoint") });
    expect(
      (await send(`/v1/merchants/${M}`, { method: "PUT", body: JSON.stringify(SHANGHAI_MERCHANT) })).status,
    ).toBe(201);
    for (const acquirer of [TEST_ACQUIRER, LEAN]) {
      await confirm(acquirer, `${acquirer}-a`, "ORD-A", 12850);
      await confirm(acquirer, `${acquirer}-b`, "ORD-B", 7700);
    }
  });
  afterAll(async () => {
    await monitor?.stop();
    client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("stores the lean acquirer's payments without order-index keys, the others with them", async () => {
    const filed = await storedItem(TEST_ACQUIRER, `${TEST_ACQUIRER}-a`);
    expect(filed?.[ORDER_INDEX.partitionKey]).toBeDefined();
    expect(filed?.orderId).toBe("ORD-A");
    const lean = await storedItem(LEAN, `${LEAN}-a`);
    expect(lean?.orderId).toBe("ORD-A"); // still stored: the window rung and the merchant page read it
    expect(lean?.[ORDER_INDEX.partitionKey]).toBeUndefined();
    expect(lean?.[ORDER_INDEX.sortKey]).toBeUndefined();
  });

  it("order-number-only lines: found by order number by default; the lean acquirer's by the window, or kept", async () => {
    const filed = await upload(TEST_ACQUIRER);
    expect(filed.counts).toMatchObject({ read: 2, matched: 1, mismatched: 1 });
    expect(await statusOf(TEST_ACQUIRER, `${TEST_ACQUIRER}-a`)).toBe("SETTLED");
    expect(await statusOf(TEST_ACQUIRER, `${TEST_ACQUIRER}-b`)).toBe("MISMATCH"); // found, amount differs

    const lean = await upload(LEAN);
    expect(lean.counts).toMatchObject({ read: 2, matched: 1, unmatched: 1 });
    expect(await statusOf(LEAN, `${LEAN}-a`)).toBe("SETTLED"); // by the window rung
    expect(await statusOf(LEAN, `${LEAN}-b`)).toBe("PENDING"); // nothing finds it: the line is kept
    expect(lean.keptLines).toEqual([
      expect.objectContaining({ source: 3, reasonCode: "awaiting-confirmation" }),
    ]);
    expect(lean.keptLines[0]?.reason).toContain("order ORD-B");
  });
});
