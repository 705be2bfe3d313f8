import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MERCHANT_OPEN_INDEX } from "../../functions/shared/table-schema.js";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { CSV_HEADER, TEST_CSV_MAPPING } from "../support/settlement.js";
import { tableKeys } from "../support/table-items.js";

// The merchant page's outstanding list through HTTP on the local monitor (DynamoDB Local): an
// OVERDUE payment of any age is listed (the sparse merchant-open index), settling or reversing it
// takes it off in the same write, and another merchant's never show. Asserts the table each time.

const START = "2026-12-04T08:00:00.000Z";
const DAY = 86_400_000;
const PHONE_A = "+8613800138000";
const PHONE_B = "+8613912345678";
/** 28 calendar days back: 20 CN trade (business) days before 2026-12-04. */
const OLD = new Date(Date.parse(START) - 28 * DAY).toISOString();

type Item = Record<string, unknown>;
type View = { paymentId: string; amountMinor: number; status: string };

describe("merchant page outstanding list (local monitor over HTTP, DynamoDB Local)", () => {
  let monitor: LocalMonitor;
  const clock = new TestClock(new Date(START));
  let tableName = "";

  const send = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${monitor.url}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Item };
  };
  const post = (path: string, payload: unknown) =>
    send("POST", path, JSON.stringify(payload), { "x-settlewatch-csrf": "1" });
  const confirm = async (overrides: Record<string, unknown>) => {
    const body = JSON.stringify(confirmation({ orderId: undefined, ...overrides }));
    const answer = await send("POST", "/v1/confirmations", body, {
      "settlewatch-signature": signed(body, clock.now()),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  };
  const stored = async (paymentId: string): Promise<Item> => {
    const client = localDynamoDbClient(inject("dynamoDbEndpoint"));
    const key = tableKeys.payment(TEST_ACQUIRER, paymentId);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
    );
    client.destroy();
    return Item ? unmarshall(Item) : {};
  };
  const signIn = async (phone: string): Promise<string> => {
    expect((await post("/m/api/sign-in", { phone })).status).toBe(202);
    const sms = monitor.services.outbox.sent.filter((notice) => notice.noticeId.startsWith("signin-"));
    const code = /\d{6}/.exec(sms.at(-1)?.text ?? "")?.[0] ?? "";
    const answer = await post("/m/api/verify", { phone, code });
    expect(answer.status).toBe(200);
    return /sw_session=([^;]*)/.exec(answer.headers.get("set-cookie") ?? "")?.[1] ?? "";
  };
  const outstanding = async (session: string) => {
    const answer = await send("GET", "/m/api/outstanding?lang=en", undefined, {
      cookie: `sw_session=${session}`,
    });
    expect(answer.status).toBe(200);
    return answer.body as { pending: View[]; overdue: View[]; arrived: View[]; days: { from: string } };
  };
  const putMerchant = async (merchantId: string, phone: string, cycle: string) => {
    const profile = {
      name: `Shop ${merchantId}`,
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle, cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 },
      contact: { phone, language: "zh-CN", channels: ["sms"] },
    };
    const answer = await send("PUT", `/v1/merchants/${merchantId}`, JSON.stringify(profile));
    expect(answer.status).toBeLessThan(300);
  };

  beforeAll(async () => {
    const config = loadLocalConfig({
      cwd: mkdtempSync(join(tmpdir(), "settlewatch-outstanding-")),
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = `outstanding-${Date.now()}`;
    config.acquirerCsv = TEST_CSV_MAPPING;
    config.merchantPage = { ...config.merchantPage, answerFloorMs: 0 };
    tableName = config.tableName;
    monitor = await startLocalMonitor(config, { dynamoDbEndpoint: inject("dynamoDbEndpoint"), clock });
    await putMerchant("m-a", PHONE_A, "T+1");
    await putMerchant("m-b", PHONE_B, "T+1");
    // Three of m-a's payments 20 trade days old, one of m-b's; a fresh one of m-a (PENDING).
    await confirm({
      paymentId: "4200000000000000000001",
      merchantId: "m-a",
      amountMinor: 1111,
      confirmedAt: OLD,
    });
    await confirm({
      paymentId: "4200000000000000000002",
      merchantId: "m-a",
      amountMinor: 2222,
      confirmedAt: OLD,
    });
    await confirm({
      paymentId: "4200000000000000000003",
      merchantId: "m-a",
      amountMinor: 3333,
      confirmedAt: OLD,
    });
    await confirm({
      paymentId: "4200000000000000000009",
      merchantId: "m-b",
      amountMinor: 9999,
      confirmedAt: OLD,
    });
    await confirm({
      paymentId: "4200000000000000000004",
      merchantId: "m-a",
      amountMinor: 4444,
      confirmedAt: new Date(Date.parse(START) - 10 * 60_000).toISOString(),
    });
    expect((await post("/local/check", {})).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await monitor?.stop();
  });

  it("lists an OVERDUE payment 20 trade days old, and the fresh PENDING one, from the merchant's own keys", async () => {
    const listed = await outstanding(await signIn(PHONE_A));
    expect(listed.overdue.map((view) => view.amountMinor).sort()).toEqual([1111, 2222, 3333]);
    expect(listed.overdue.every((view) => view.status === "OVERDUE")).toBe(true);
    expect(listed.pending.map((view) => view.amountMinor)).toEqual([4444]);
    // T+1: only the last few trade dates can still hold PENDING payments; the overdue came by index.
    expect(Date.parse(listed.days.from)).toBeGreaterThan(Date.parse(START) - 10 * DAY);
    const old = await stored("4200000000000000000001");
    expect(old).toMatchObject({
      status: "OVERDUE",
      [MERCHANT_OPEN_INDEX.partitionKey]: tableKeys.merchantOpen("m-a"),
      [MERCHANT_OPEN_INDEX.sortKey]: tableKeys.merchantOpenSort(
        String(old.overdueAt),
        TEST_ACQUIRER,
        "4200000000000000000001",
      ),
    });
    expect(await stored("4200000000000000000004")).not.toHaveProperty(MERCHANT_OPEN_INDEX.partitionKey);
  });

  it("never lists another merchant's overdue payment; that merchant sees only their own", async () => {
    const listedA = await outstanding(await signIn(PHONE_A));
    expect(JSON.stringify(listedA)).not.toContain("9999");
    const listedB = await outstanding(await signIn(PHONE_B));
    expect(listedB.overdue.map((view) => view.amountMinor)).toEqual([9999]);
    expect(listedB.pending).toEqual([]);
    expect(await stored("4200000000000000000009")).toMatchObject({
      [MERCHANT_OPEN_INDEX.partitionKey]: tableKeys.merchantOpen("m-b"),
    });
  });

  it("a payment settled late leaves the overdue list: its merchant-open keys go in the settling write", async () => {
    const today = START.slice(0, 10);
    const csv = `${CSV_HEADER}\n4200000000000000000001,,m-a,11.11,0.07,11.04,CNY,${today},PAY\n`;
    const upload = await fetch(
      `${monitor.url}/v1/settlement-files?acquirer=${TEST_ACQUIRER}&fileName=late.csv`,
      {
        method: "POST",
        body: csv,
      },
    );
    expect(upload.status, await upload.clone().text()).toBe(201);
    const settled = await stored("4200000000000000000001");
    expect(settled.status).toBe("SETTLED_LATE");
    expect(settled).not.toHaveProperty(MERCHANT_OPEN_INDEX.partitionKey);
    expect(settled).not.toHaveProperty(MERCHANT_OPEN_INDEX.sortKey);
    const listed = await outstanding(await signIn(PHONE_A));
    expect(listed.overdue.map((view) => view.amountMinor).sort()).toEqual([2222, 3333]);
  });

  it("a payment reversed while OVERDUE leaves the overdue list in the reversing write", async () => {
    await confirm({
      kind: "reversal",
      paymentId: "4200000000000000000102",
      originalPaymentId: "4200000000000000000002",
      merchantId: "m-a",
      amountMinor: 2222,
      confirmedAt: new Date(Date.parse(START) - 60_000).toISOString(),
    });
    const reversed = await stored("4200000000000000000002");
    expect(reversed.status).toBe("REVERSED");
    expect(reversed).not.toHaveProperty(MERCHANT_OPEN_INDEX.partitionKey);
    const listed = await outstanding(await signIn(PHONE_A));
    expect(listed.overdue.map((view) => view.amountMinor)).toEqual([3333]);
    expect(await stored("4200000000000000000003")).toMatchObject({
      status: "OVERDUE",
      [MERCHANT_OPEN_INDEX.partitionKey]: tableKeys.merchantOpen("m-a"),
    });
  });
});
