import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { TestClock } from "../support/check-deps.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";

// The merchant page's API through HTTP on the local monitor (DynamoDB Local), with the clock port
// under the test's control. Every case asserts the table afterwards, not only the answer.

const PHONE_A = "+8613800138000";
const PHONE_B = "+8613912345678";
const UNKNOWN_PHONE = "+8613700001111";
const START = "2026-12-04T08:00:00.000Z";
const FLOOR_MS = 120;

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

describe("merchant page API (local monitor over HTTP, DynamoDB Local)", () => {
  let monitor: LocalMonitor;
  const clock = new TestClock(new Date(START));
  const logs: string[] = [];
  let tableName = "";

  const send = async (
    method: string,
    path: string,
    options: { body?: string; headers?: Record<string, string>; session?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.session !== undefined) headers.cookie = `sw_session=${options.session}`;
    const response = await fetch(`${monitor.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const post = (path: string, payload: unknown, headers: Record<string, string> = {}, session?: string) =>
    send("POST", path, {
      body: typeof payload === "string" ? payload : JSON.stringify(payload),
      headers: { "content-type": "application/json", "x-settlewatch-csrf": "1", ...headers },
      ...(session === undefined ? {} : { session }),
    });
  const smsSent = () =>
    monitor.services.outbox.sent.filter((notice) => notice.noticeId.startsWith("signin-"));
  const lastCode = () => /\d{6}/.exec(smsSent().at(-1)?.text ?? "")?.[0] ?? "";
  const items = async (): Promise<Array<Record<string, unknown>>> => {
    const client = localDynamoDbClient(inject("dynamoDbEndpoint"));
    const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
    client.destroy();
    return (Items ?? []).map((item) => unmarshall(item));
  };
  const itemsOf = async (entity: string) => (await items()).filter((item) => item.entity === entity);

  const signIn = async (phone: string): Promise<string> => {
    expect((await post("/m/api/sign-in", { phone })).status).toBe(202);
    const answer = await post("/m/api/verify", { phone, code: lastCode() });
    expect(answer.status).toBe(200);
    return /sw_session=([^;]*)/.exec(answer.headers.get("set-cookie") ?? "")?.[1] ?? "";
  };
  const confirm = async (overrides: Record<string, unknown>) => {
    const body = JSON.stringify(confirmation(overrides));
    const answer = await send("POST", "/v1/confirmations", {
      body,
      headers: { "content-type": "application/json", "settlewatch-signature": signed(body, clock.now()) },
    });
    expect(answer.status).toBe(201);
  };
  const putMerchant = async (merchantId: string, phone: string) => {
    const profile = {
      name: `Shop ${merchantId}`,
      timeZone: "Asia/Shanghai",
      calendar: "CN",
      settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60 },
      contact: { phone, language: "zh-CN", channels: ["sms"] },
    };
    const answer = await send("PUT", `/v1/merchants/${merchantId}`, {
      body: JSON.stringify(profile),
      headers: { "content-type": "application/json" },
    });
    expect(answer.status).toBeLessThan(300);
  };

  beforeAll(async () => {
    const config = loadLocalConfig({
      cwd: mkdtempSync(join(tmpdir(), "settlewatch-merchant-api-")),
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = `merchant-api-${Date.now()}`;
    config.merchantPage = {
      ...config.merchantPage,
      answerFloorMs: FLOOR_MS,
      signIn: { codesPerHour: 3, sessionHours: 24 },
    };
    tableName = config.tableName;
    monitor = await startLocalMonitor(config, {
      dynamoDbEndpoint: inject("dynamoDbEndpoint"),
      clock,
      logger: {
        info: (message, fields) => logs.push(JSON.stringify({ message, fields })),
        error: (message, fields) => logs.push(JSON.stringify({ message, fields: String(fields.error) })),
      },
    });
    await putMerchant("m-a", PHONE_A);
    await putMerchant("m-b", PHONE_B);
  });
  afterAll(async () => {
    await monitor?.stop();
  });
  beforeEach(() => {
    // Each case starts in its own hour, so the per-hour cap of one case does not spill into the next.
    clock.set(new Date(clock.now().getTime() + 3_600_000).toISOString());
  });

  it("signs in with the texted code, finds the merchant's confirmed payment, not a faked amount, and lists it as pending", async () => {
    await confirm({
      paymentId: "4200001234202612040001",
      merchantId: "m-a",
      amountMinor: 12850,
      confirmedAt: new Date(clock.now().getTime() - 5 * 60_000).toISOString(),
      channel: "wechat",
    });
    expect((await post("/m/api/sign-in", { phone: "138 0013 8000" })).status).toBe(202);
    const sms = smsSent().at(-1);
    expect(sms).toMatchObject({ channel: "sms", to: "+86138****8000", provider: "sns" });
    expect(sms?.text).toMatch(/^您的登录验证码为\d{6}，5分钟内有效/);
    const verified = await post("/m/api/verify", { phone: PHONE_A, code: lastCode() });
    expect(verified.status).toBe(200);
    const cookie = verified.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^sw_session=[A-Za-z0-9_-]{43}; Path=\/m\/; Max-Age=86400; HttpOnly; Secure; SameSite=Strict$/,
    );
    const session = /sw_session=([^;]*)/.exec(cookie)?.[1] ?? "";

    const found = await send("GET", "/m/api/lookup?amountMinor=12850&currency=CNY", { session });
    expect(found.status).toBe(200);
    expect(found.headers.get("cache-control")).toBe("no-store");
    expect(found.body).toMatchObject({ verdict: "confirmed" });
    expect(found.body.matches).toEqual([
      expect.objectContaining({
        paymentId: "4200****0001",
        amountMinor: 12850,
        currency: "CNY",
        status: "PENDING",
        channel: "wechat",
        orderTail: "1001",
        explanation: expect.stringMatching(/^收单机构已确认此笔收款，预计\d{4}-\d{2}-\d{2} 18:00前到账。$/),
      }),
    ]);
    const faked = await send("GET", "/m/api/lookup?amountMinor=12851&currency=CNY&lang=en", { session });
    expect(faked.body).toEqual({ verdict: "not-found", window: expect.any(Object), matches: [] });
    const byOrder = await send("GET", "/m/api/lookup?amountMinor=12850&currency=CNY&orderEndsWith=9999", {
      session,
    });
    expect(byOrder.body.verdict).toBe("not-found");

    const outstanding = await send("GET", "/m/api/outstanding?lang=en", { session });
    expect(outstanding.status).toBe(200);
    expect(outstanding.body.pending).toEqual([
      expect.objectContaining({
        paymentId: "4200****0001",
        explanation: expect.stringMatching(/^Confirmed by the acquirer/),
      }),
    ]);
    expect(outstanding.body).toMatchObject({ overdue: [], arrived: [], truncated: false });

    // The table: the code only as a hash (used), the session under the hash of its id, both with a TTL.
    const [code] = (await items()).filter(
      (item) => String(item.pk).startsWith("SIGNIN#") && item.sk === "CODE" && item.merchantId === "m-a",
    );
    expect(code).toMatchObject({ entity: "sign-in-code", attempts: 0, usedAt: clock.now().toISOString() });
    expect(JSON.stringify(code)).not.toContain(lastCode());
    const sessions = (await itemsOf("merchant-session")).filter((item) => item.merchantId === "m-a");
    expect(sessions.some((item) => item.pk === `MSESSION#${session}`)).toBe(false);
    expect(sessions.at(-1)?.expiresAt).toBe(Math.floor(clock.now().getTime() / 1000) + 24 * 3600);
    // No number in clear in any key (the profile itself holds it, as contact.phone).
    for (const item of await items()) expect(`${item.pk} ${item.sk}`).not.toMatch(/13800138000|13912345678/);
  });

  it("shows a merchant only their own payments: another merchant's ids and amounts give nothing", async () => {
    const at = new Date(clock.now().getTime() - 60_000).toISOString();
    await confirm({ paymentId: "b-only-777", merchantId: "m-b", amountMinor: 77700, confirmedAt: at });
    const sessionA = await signIn(PHONE_A);
    const asA = await send("GET", "/m/api/lookup?amountMinor=77700&currency=CNY", { session: sessionA });
    expect(asA.body).toMatchObject({ verdict: "not-found", matches: [] });
    const outstandingA = await send("GET", "/m/api/outstanding", { session: sessionA });
    expect(JSON.stringify(outstandingA.body)).not.toContain("77700");
    const sessionB = await signIn(PHONE_B);
    const asB = await send("GET", "/m/api/lookup?amountMinor=77700&currency=CNY", { session: sessionB });
    expect(asB.body).toMatchObject({
      verdict: "confirmed",
      matches: [expect.objectContaining({ paymentId: "******-777" })],
    });
  });

  it("a number signs in to the profile that has it: a number taken off the profile no longer does", async () => {
    const OLD = "+8613600001234";
    const NEW = "+8613500005678";
    await putMerchant("m-c", OLD);
    await putMerchant("m-c", NEW);
    const before = smsSent().length;
    await post("/m/api/sign-in", { phone: OLD });
    expect(smsSent().length).toBe(before);
    const session = await signIn(NEW);
    expect((await send("GET", "/m/api/outstanding", { session })).status).toBe(200);
    const links = await itemsOf("merchant-phone");
    expect(links.filter((item) => item.merchantId === "m-c")).toHaveLength(1);
  });

  it("a code works once", async () => {
    await post("/m/api/sign-in", { phone: PHONE_A });
    const code = lastCode();
    expect((await post("/m/api/verify", { phone: PHONE_A, code })).status).toBe(200);
    const again = await post("/m/api/verify", { phone: PHONE_A, code });
    expect(again).toMatchObject({
      status: 401,
      body: { error: "the code is wrong, expired or used up: ask for a new code" },
    });
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("a code expires after 5 minutes (clock port)", async () => {
    await post("/m/api/sign-in", { phone: PHONE_A });
    const code = lastCode();
    clock.set(new Date(clock.now().getTime() + 5 * 60_000).toISOString());
    expect((await post("/m/api/verify", { phone: PHONE_A, code })).status).toBe(401);
    const [stored] = (await itemsOf("sign-in-code")).filter((item) => item.merchantId === "m-a");
    expect(stored?.usedAt).toBeUndefined();
  });

  it("locks the code after 5 wrong tries: the right code is refused afterwards", async () => {
    await post("/m/api/sign-in", { phone: PHONE_A });
    const code = lastCode();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let attempt = 0; attempt < 5; attempt += 1)
      expect((await post("/m/api/verify", { phone: PHONE_A, code: wrong })).status).toBe(401);
    const refused = await post("/m/api/verify", { phone: PHONE_A, code });
    expect(refused.status).toBe(401);
    const [stored] = (await itemsOf("sign-in-code")).filter((item) => item.merchantId === "m-a");
    expect(stored).toMatchObject({ attempts: 5 });
    expect(stored?.usedAt).toBeUndefined();
  });

  it("sends at most codesPerHour codes per number per hour, answering 202 every time", async () => {
    const before = smsSent().length;
    for (let n = 0; n < 5; n += 1)
      expect((await post("/m/api/sign-in", { phone: PHONE_B })).status).toBe(202);
    expect(smsSent().length - before).toBe(3);
    const hour = clock.now().toISOString().slice(0, 13);
    const quota = (await items()).find((item) => item.sk === `QUOTA#${hour}` && item.codesSent === 3);
    expect(quota).toMatchObject({ entity: "sign-in-quota", codesSent: 3 });
    clock.set(new Date(clock.now().getTime() + 3_600_000).toISOString());
    await post("/m/api/sign-in", { phone: PHONE_B });
    expect(smsSent().length - before).toBe(4);
  });

  it("does not reveal whether a number is registered: same answer, same floor, same writes, nothing sent", async () => {
    const before = smsSent().length;
    const codesBefore = (await itemsOf("sign-in-code")).length;
    const timed = async (phone: string) => {
      const started = performance.now();
      const answer = await post("/m/api/sign-in", { phone });
      return { answer, ms: performance.now() - started };
    };
    const unknown = await timed(UNKNOWN_PHONE);
    const known = await timed(PHONE_A);
    expect(unknown.answer.status).toBe(202);
    expect(unknown.answer.body).toEqual(known.answer.body);
    expect(unknown.ms).toBeGreaterThanOrEqual(FLOOR_MS - 5);
    expect(known.ms).toBeGreaterThanOrEqual(FLOOR_MS - 5);
    expect(smsSent().length - before).toBe(1);
    // A code item for the unknown number too (nobody receives it, it opens nothing).
    const codes = await itemsOf("sign-in-code");
    expect(codes.length - codesBefore).toBe(1);
    expect(codes.some((item) => item.merchantId === "")).toBe(true);
  });

  it("refuses state-changing requests without the CSRF header or from another origin (403), sending nothing", async () => {
    const before = smsSent().length;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ "x-settlewatch-csrf": "" }, /x-settlewatch-csrf/],
      [{ origin: "https://evil.example" }, /origin/],
      [{ "sec-fetch-site": "cross-site" }, /sec-fetch-site/],
    ];
    for (const [headers, error] of cases) {
      const answer = await post("/m/api/sign-in", { phone: PHONE_A }, headers);
      expect(answer.status).toBe(403);
      expect(String(answer.body.error)).toMatch(error);
    }
    const session = await signIn(PHONE_A);
    const sessionsBefore = (await itemsOf("merchant-session")).length;
    expect((await post("/m/api/sign-out", {}, { origin: "https://evil.example" }, session)).status).toBe(403);
    expect((await itemsOf("merchant-session")).length).toBe(sessionsBefore);
    expect(smsSent().length - before).toBe(1);
    const sameOrigin = await post("/m/api/sign-out", {}, { origin: monitor.url }, session);
    expect(sameOrigin.status).toBe(200);
    expect((await itemsOf("merchant-session")).length).toBe(sessionsBefore - 1);
    expect((await send("GET", "/m/api/outstanding", { session })).status).toBe(401);
  });

  it("ends a session after sessionHours", async () => {
    const session = await signIn(PHONE_A);
    expect((await send("GET", "/m/api/outstanding", { session })).status).toBe(200);
    clock.set(new Date(clock.now().getTime() + 24 * 3_600_000).toISOString());
    expect((await send("GET", "/m/api/outstanding", { session })).status).toBe(401);
    expect((await send("GET", "/m/api/outstanding", { session: "forged-session-id-000000000" })).status).toBe(
      401,
    );
  });

  it.each([
    ["a giant amount", "amountMinor=99999999999999999999&currency=CNY", "amountMinor"],
    ["a negative amount", "amountMinor=-5&currency=CNY", "amountMinor"],
    ["amount zero", "amountMinor=0&currency=CNY", "amountMinor"],
    ["an amount over the limit", "amountMinor=1000000000000000&currency=CNY", "amountMinor"],
    ["a bad currency", "amountMinor=100&currency=XXX", "currency"],
    ["a lower-case currency", "amountMinor=100&currency=cny", "currency"],
    ["broken percent-encoding", "amountMinor=%zz&currency=CNY", "amountMinor"],
    ["a cut escape", "amountMinor=100&currency=CN%E4%B8", "currency"],
    ["an unknown parameter", "amountMinor=100&currency=CNY&merchantId=m-b", "merchantId"],
    ["a repeated parameter", "amountMinor=100&amountMinor=200&currency=CNY", "amountMinor"],
    ["withinMinutes out of range", "amountMinor=100&currency=CNY&withinMinutes=99999", "withinMinutes"],
    ["an impossible around", "amountMinor=100&currency=CNY&around=2026-02-30T10:00:00Z", "around"],
    ["an order tail with markup", "amountMinor=100&currency=CNY&orderEndsWith=%3Cscript%3E", "orderEndsWith"],
    ["a bad language", "amountMinor=100&currency=CNY&lang=fr", "lang"],
  ])("lookup with %s → 422 naming the field", async (_, query, field) => {
    const session = await signIn(PHONE_A);
    const answer = await send("GET", `/m/api/lookup?${query}`, { session });
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it.each([
    ["sign-in", "a body that is not JSON", "not json", 400, undefined],
    ["sign-in", "a JSON array", "[1,2]", 400, "body"],
    ["sign-in", "a number for the phone", '{"phone": 13800138000}', 422, "phone"],
    ["sign-in", "a 5,000-digit phone", `{"phone": "${"9".repeat(5000)}"}`, 422, "phone"],
    ["verify", "a code with a letter", `{"phone": "${PHONE_A}", "code": "12345a"}`, 422, "code"],
    ["verify", "no code", `{"phone": "${PHONE_A}"}`, 422, "code"],
  ])("POST %s with %s → 4xx naming the field", async (route, _, body, status, field) => {
    const answer = await post(`/m/api/${route}`, body);
    expect(answer.status).toBe(status);
    if (field) expect(JSON.stringify(answer.body)).toContain(field);
  });

  it("any query string a client can send is answered 200 or 422, never 500 (fast-check)", async () => {
    const session = await signIn(PHONE_A);
    const piece = fc.oneof(
      fc.constantFrom(
        "amountMinor",
        "currency",
        "around",
        "withinMinutes",
        "orderEndsWith",
        "lang",
        "%",
        "%zz",
        "=",
      ),
      fc.stringMatching(/^[A-Za-z0-9%&=+._~-]{0,30}$/),
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(piece, piece), { maxLength: 6 }), async (pairs) => {
        const query = pairs.map(([name, value]) => `${name}=${value}`).join("&");
        const answer = await send("GET", `/m/api/lookup?${query}`, { session });
        expect([200, 422]).toContain(answer.status);
      }),
      { numRuns: 60 },
    );
  });

  it("logs no phone number and no code", async () => {
    logs.length = 0;
    await signIn(PHONE_A);
    await post("/m/api/sign-in", { phone: UNKNOWN_PHONE });
    const text = logs.join("\n");
    expect(logs.some((line) => line.includes("sign-in code requested"))).toBe(true);
    for (const digits of ["13800138000", "13912345678", "13700001111", lastCode()])
      expect(text).not.toContain(digits);
  });
});
