import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LocalMonitor } from "../../local/monitor.js";
import { confirmation, signed, TEST_ACQUIRER } from "../support/confirmations.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { monitorHttp, startTestMonitor } from "../support/monitor-http.js";

const run = promisify(execFile);

describe("local monitor over HTTP", () => {
  let monitor: LocalMonitor;
  const workDir = mkdtempSync(join(tmpdir(), "settlewatch-e2e-"));

  const { http, postSigned } = monitorHttp(() => monitor.url);

  beforeAll(async () => {
    monitor = await startTestMonitor({ tablePrefix: "e2e", dynamoDbEndpoint: inject("dynamoDbEndpoint") });
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  it("registers a merchant (201, then 200 on replace) and reads it back", async () => {
    const body = JSON.stringify(SHANGHAI_MERCHANT);
    expect((await http("PUT", "/v1/merchants/m-shanghai-001", body)).status).toBe(201);
    expect((await http("PUT", "/v1/merchants/m-shanghai-001", body)).status).toBe(200);
    const read = await http("GET", "/v1/merchants/m-shanghai-001");
    expect(read.body).toMatchObject({
      merchantId: "m-shanghai-001",
      settlement: { cycle: "T+1", cutoff: "23:00" },
    });
  });

  it("refuses a bad merchant profile with the field named (422)", async () => {
    const bad = {
      ...SHANGHAI_MERCHANT,
      timeZone: "Mars/Olympus",
      contact: { phone: "+86123", channels: ["sms"] },
    };
    const answer = await http("PUT", "/v1/merchants/m-bad", JSON.stringify(bad));
    expect(answer.status).toBe(422);
    const fields = (answer.body.errors as Array<{ field: string }>).map((error) => error.field).sort();
    expect(fields).toEqual(["contact.phone", "timeZone"]);
    expect((await http("GET", "/v1/merchants/m-bad")).status).toBe(404);
  });

  it("accepts a signed confirmation (201), then reads the payment with its explanation", async () => {
    const created = await postSigned(confirmation({ paymentId: "e2e-1" }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "accepted", paymentId: "e2e-1" });
    const again = await postSigned(confirmation({ paymentId: "e2e-1" }));
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("duplicate");
    const conflict = await postSigned(confirmation({ paymentId: "e2e-1", amountMinor: 1 }));
    expect(conflict.status).toBe(409);

    const payment = await http("GET", `/v1/payments/${TEST_ACQUIRER}/e2e-1`);
    expect(payment.status).toBe(200);
    expect(payment.body).toMatchObject({
      status: "PENDING",
      confirmedAt: "2026-09-30T07:00:00.000Z",
      expectedBy: created.body.expectedBy,
      explanation: created.body.explanation,
    });
  });

  it("runs the check over HTTP and reports the open payments the table stream counted, pending then overdue", async () => {
    const usd = await postSigned(
      confirmation({ paymentId: "e2e-open-usd", currency: "USD", amountMinor: 4200 }),
    );
    expect(usd.status).toBe(201);
    type OpenPayments = {
      acquirers: Array<{ acquirer: string; pending: number; overdue: number }>;
      amounts: Array<{
        acquirer: string;
        state: string;
        currency: string;
        count: number;
        amountMinor: string;
      }>;
    };
    const check = async (asOf: string) => {
      const answer = await http("POST", "/local/check", JSON.stringify({ asOf }));
      expect(answer.status).toBe(200);
      return answer.body.openPayments as OpenPayments;
    };
    const amount = (open: OpenPayments, state: string, currency: string) =>
      open.amounts.find((a) => a.acquirer === TEST_ACQUIRER && a.state === state && a.currency === currency);
    // Before anything is due: all pending (e2e-1 in CNY and this one in USD, at least).
    const before = await check("2026-10-01T00:00:00Z");
    const mine = before.acquirers.find((a) => a.acquirer === TEST_ACQUIRER);
    expect(mine?.overdue).toBe(0);
    expect(mine?.pending).toBeGreaterThanOrEqual(2);
    expect(amount(before, "PENDING", "USD")).toMatchObject({ count: 1, amountMinor: "4200" });
    // Long after: the check marked them overdue, and the counters followed.
    const after = await check("2026-12-01T00:00:00Z");
    expect(after.acquirers.find((a) => a.acquirer === TEST_ACQUIRER)).toEqual({
      acquirer: TEST_ACQUIRER,
      pending: 0,
      overdue: mine?.pending,
    });
    expect(amount(after, "OVERDUE", "USD")).toMatchObject({ count: 1, amountMinor: "4200" });
    expect(amount(after, "PENDING", "USD")).toMatchObject({ count: 0, amountMinor: "0" });
  });

  it("answers 404 with a JSON error for an unknown payment", async () => {
    const answer = await http("GET", `/v1/payments/${TEST_ACQUIRER}/nope`);
    expect(answer).toEqual({
      status: 404,
      body: { error: `no payment nope from acquirer ${TEST_ACQUIRER}` },
    });
  });

  it("answers a batch with per-item results and counts", async () => {
    const answer = await postSigned({
      confirmations: [
        confirmation({ paymentId: "e2e-b1" }),
        confirmation({ paymentId: "e2e-b2", currency: "EURO" }),
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.counts).toEqual({ accepted: 1, duplicate: 0, conflict: 0, rejected: 1 });
  });

  it("never answers 500 to bad input", async () => {
    const body = JSON.stringify(confirmation({ paymentId: "e2e-bad" }));
    const cases: Array<[string, string, string | undefined, Record<string, string>, number]> = [
      ["POST", "/v1/confirmations", "{", {}, 400],
      ["POST", "/v1/confirmations", body, {}, 401],
      ["POST", "/v1/confirmations", body, { "settlewatch-signature": "t=1,v1=zz" }, 401],
      [
        "POST",
        "/v1/confirmations",
        body,
        { "settlewatch-signature": signed(body, new Date(Date.now() - 3_600_000)) },
        401,
      ],
      ["POST", "/v1/confirmations", "x".repeat(1024 * 1024 + 1), {}, 413],
      ["POST", "/v1/confirmations", "null", {}, 400],
      ["POST", "/v1/confirmations", '"text"', {}, 400],
      ["POST", "/v1/confirmations", JSON.stringify({ confirmations: "nope" }), {}, 400],
      ["PUT", "/v1/merchants/m1", "[]", {}, 422],
      ["PUT", "/v1/merchants/m1", "not json", {}, 400],
      ["GET", "/v1/unknown", undefined, {}, 404],
      ["DELETE", "/v1/merchants/m1", undefined, {}, 405],
    ];
    for (const [method, path, payload, headers, expected] of cases) {
      const answer = await http(method, path, payload, headers);
      expect([method, path, answer.status]).toEqual([method, path, expected]);
      expect(typeof answer.body.error).toBe("string");
    }
  });

  it("the CLI shows its help and refuses a bad merchant file naming the problem", async () => {
    const help = await run("node", ["bin/settlewatch.js", "--help"]);
    expect(help.stdout).toContain("merchants");
    expect(help.stdout).toContain("serve");
    const file = join(workDir, "merchants.json");
    writeFileSync(file, JSON.stringify([{ ...SHANGHAI_MERCHANT, merchantId: "m-cli" }, { name: "no id" }]));
    const put = await run("node", [
      "bin/settlewatch.js",
      "merchants",
      "put",
      file,
      "--url",
      monitor.url,
    ]).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect("code" in put ? put.code : 0).toBe(1);
    expect(put.stdout).toContain("merchant m-cli: 201");
    expect(put.stderr).toContain("profile [1]: merchantId is required");
  }, 60_000); // two CLI processes (a tsx start each) while other files run

  it("npm start without Java stops with one line saying how to install it", async () => {
    const nodeDir = join(process.cwd(), "node_modules", ".bin");
    const failure = await run("node", ["bin/settlewatch.js", "serve"], {
      env: { ...process.env, PATH: nodeDir },
    }).catch((error: { code: number; stderr: string }) => error);
    expect("code" in failure ? failure.code : 0).toBe(2);
    expect(failure.stderr.trim().split("\n")).toHaveLength(1);
    expect(failure.stderr).toContain("apt-get install -y openjdk-17-jre-headless");
  }, 60_000);
});
