import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";
import { CSV_HEADER, TEST_CSV_MAPPING } from "../support/settlement.js";

describe("settlement files through the local monitor", () => {
  let monitor: LocalMonitor;
  const dataDir = mkdtempSync(join(tmpdir(), "settlewatch-upload-"));
  const M = "m-shanghai-001";

  beforeAll(async () => {
    const config = loadLocalConfig({
      cwd: dataDir,
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = `upload-${Date.now()}`;
    config.acquirerCsv = TEST_CSV_MAPPING;
    monitor = await startLocalMonitor(config, { dynamoDbEndpoint: inject("dynamoDbEndpoint") });
    await fetch(`${monitor.url}/v1/merchants/${M}`, {
      method: "PUT",
      body: JSON.stringify(SHANGHAI_MERCHANT),
    });
    const body = JSON.stringify({ confirmations: [confirmation({ paymentId: "u1", amountMinor: 12850 })] });
    await fetch(`${monitor.url}/v1/confirmations`, {
      method: "POST",
      headers: { "settlewatch-signature": signed(body, new Date()) },
      body,
    });
  });
  afterAll(async () => {
    await monitor?.stop();
  });

  const upload = async (body: string, query: string) => {
    const response = await fetch(`${monitor.url}/v1/settlement-files?${query}`, { method: "POST", body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("accepts an upload (201), reports it by file id, and answers 200 duplicate for the same bytes", async () => {
    const file = `${CSV_HEADER}\nu1,,${M},128.50,0.77,127.73,CNY,2026-10-08,PAY\nu9,,${M},1.00,0.01,0.99,CNY,2026-10-08,PAY\n`;
    const first = await upload(file, `acquirer=${TEST_ACQUIRER}&fileName=day.csv`);
    expect(first.status).toBe(201);
    const stored = first.body.file as { fileId: string; counts: Record<string, number> };
    expect(stored.counts).toMatchObject({ read: 2, matched: 1, unmatched: 1 });

    const report = await fetch(`${monitor.url}/v1/settlement-files/${stored.fileId}`);
    const view = (await report.json()) as {
      status: string;
      keptLines: Array<{ source: number; reasonCode: string }>;
    };
    expect(view.status).toBe("DONE");
    expect(view.keptLines.map((line) => [line.source, line.reasonCode])).toEqual([
      [3, "awaiting-confirmation"],
    ]);

    const again = await upload(file, `acquirer=${TEST_ACQUIRER}`);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
  });

  it("refuses a file that is no settlement file (422, naming the line) and bad parameters (400)", async () => {
    const unreadable = await upload("hello\nworld\n", `acquirer=${TEST_ACQUIRER}`);
    expect(unreadable.status).toBe(422);
    expect(String(unreadable.body.error)).toMatch(/^line 1: /);
    expect((await upload("x", "")).status).toBe(400);
    expect((await upload("x", `acquirer=${TEST_ACQUIRER}&format=nope`)).body.error).toContain(
      "format: unknown",
    );
    expect((await fetch(`${monitor.url}/v1/settlement-files/${"0".repeat(64)}`)).status).toBe(404);
  });
});
