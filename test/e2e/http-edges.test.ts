import { mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { consoleLogger } from "../../local/console-logger.js";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import { anyBody, anyHeaders, anyMethod, anyPath } from "../support/http-arbitraries.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request through node:http: the path goes out exactly as given (fetch would normalise it). */
function send(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname,
        port,
        method: options.method,
        path: options.path,
        // Framed explicitly: node:http sends a GET's body unframed otherwise.
        headers: {
          ...options.headers,
          ...(options.body === undefined ? {} : { "content-length": Buffer.byteLength(options.body) }),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

describe("operator routes at the HTTP edge (local monitor)", () => {
  let monitor: LocalMonitor;
  const logged: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const tableName = `edges-${Date.now()}`;
  const client = localDynamoDbClient(inject("dynamoDbEndpoint"));
  const items = async () => {
    const all: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start as never }),
      );
      all.push(...(page.Items ?? []).map((item) => JSON.stringify(item)));
      start = page.LastEvaluatedKey;
    } while (start);
    return all.sort();
  };

  beforeAll(async () => {
    const config = loadLocalConfig({
      cwd: mkdtempSync(join(tmpdir(), "settlewatch-edges-")),
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = tableName;
    monitor = await startLocalMonitor(config, {
      dynamoDbEndpoint: inject("dynamoDbEndpoint"),
      logger: {
        info: (message, fields) => logged.push({ level: "info", message, fields }),
        error: (message, fields) => logged.push({ level: "error", message, fields }),
      },
    });
    const put = await send(monitor.url, {
      method: "PUT",
      path: "/v1/merchants/m-shanghai-001",
      body: JSON.stringify(SHANGHAI_MERCHANT),
    });
    expect(put.status).toBe(201);
  });
  afterAll(async () => {
    await monitor?.stop();
    client.destroy();
  });

  it("answers 400 to broken percent-encoding and over-long ids, without logging a 10 KB path", async () => {
    const huge = "a".repeat(10_000);
    const cases: Array<[string, string, number, string]> = [
      ["GET", "/v1/merchants/%E0%A4%A", 400, 'the id "%E0%A4%A" in the path is not valid percent-encoding'],
      ["GET", "/v1/payments/acme-pay/%ZZ", 400, 'the id "%ZZ" in the path is not valid'],
      ["GET", "/v1/settlement-files/%", 400, 'the id "%" in the path is not valid'],
      ["PUT", "/v1/merchants/%C0%AF", 400, 'the id "%C0%AF" in the path is not valid'],
      ["GET", `/v1/merchants/${huge}`, 400, "an id in the path is longer than 256 characters (10000)"],
      ["GET", `/v1/payments/${huge}/p1`, 400, "an id in the path is longer than 256 characters"],
      ["PUT", `/v1/merchants/${huge}`, 400, "an id in the path is longer than 256 characters"],
      ["GET", `/${huge}`, 404, "no route for GET /aaaa"],
    ];
    const before = await items();
    logged.length = 0;
    for (const [method, path, status, error] of cases) {
      const answer = await send(monitor.url, { method, path, body: JSON.stringify(SHANGHAI_MERCHANT) });
      expect([method, path.slice(0, 40), answer.status]).toEqual([method, path.slice(0, 40), status]);
      expect(JSON.parse(answer.body).error).toContain(error);
      expect(answer.body.length).toBeLessThan(1_000);
    }
    expect(await items()).toEqual(before);
    expect(logged.map((entry) => entry.level)).not.toContain("error");
    for (const entry of logged) expect(JSON.stringify(entry).length).toBeLessThan(1_000);
    expect(logged.map((entry) => entry.fields.path)).toContain(`/${huge.slice(0, 199)}… (10001 characters)`);
  });

  it("answers 405 with an Allow header to a known path asked with another method", async () => {
    const cases: Array<[string, string, string]> = [
      ["GET", "/v1/confirmations", "POST"],
      ["GET", "/local/check", "POST"],
      ["PUT", "/local/check", "POST"],
      ["GET", "/v1/settlement-files", "POST"],
      ["DELETE", "/v1/merchants/m1", "PUT, GET"],
      ["POST", "/v1/payments/a/b", "GET"],
      ["OPTIONS", "/v1/settlement-files/abc", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const answer = await send(monitor.url, { method, path });
      expect([method, path, answer.status, answer.headers.allow]).toEqual([method, path, 405, allow]);
      expect(JSON.parse(answer.body).error).toBe(`method ${method} is not allowed on ${path}`);
    }
  });

  it("POST /local/check refuses a body that is not a JSON object with an RFC 3339 asOf (400)", async () => {
    const cases: Array<[string, string]> = [
      ["not json", "body is not valid JSON"],
      ["null", "body must be a JSON object"],
      ["[]", "body must be a JSON object"],
      ['"2026-10-09T00:00:00Z"', "body must be a JSON object"],
      ['{"asOf":5}', "asOf: expected an RFC 3339 instant"],
      ['{"asOf":"2026"}', "asOf: "],
      ['{"asOf":"2026-13-45T00:00:00Z"}', "asOf: "],
      // Real but implausible: before 2000, or far past the input limits' future bound.
      ['{"asOf":"1970-01-01T00:00:00Z"}', "asOf: "],
      ['{"asOf":"2999-01-01T00:00:00Z"}', "asOf: "],
    ];
    for (const [body, error] of cases) {
      const answer = await send(monitor.url, { method: "POST", path: "/local/check", body });
      expect([body, answer.status]).toEqual([body, 400]);
      expect(JSON.parse(answer.body).error).toContain(error);
      if (error.startsWith("asOf")) expect(JSON.parse(answer.body).errors).toMatchObject([{ field: "asOf" }]);
    }
    const empty = await send(monitor.url, { method: "POST", path: "/local/check" });
    expect(empty.status).toBe(200);
    const asOf = await send(monitor.url, {
      method: "POST",
      path: "/local/check",
      body: JSON.stringify({ asOf: "2026-10-09T00:00:00Z" }),
    });
    expect(asOf.status).toBe(200);
    expect(JSON.parse(asOf.body).report.asOf).toBe("2026-10-09T00:00:00.000Z");
  });

  it("fuzz: any method, path, headers and body get a 2xx/4xx answer, and a refused request writes nothing", async () => {
    logged.length = 0;
    await fc.assert(
      fc.asyncProperty(anyMethod, anyPath, anyHeaders, anyBody, async (method, path, headers, body) => {
        const before = await items();
        const answer = await send(monitor.url, {
          method,
          path,
          headers,
          ...(body === undefined ? {} : { body }),
        });
        expect(answer.status).toBeGreaterThanOrEqual(200);
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400 && method !== "HEAD")
          expect(typeof JSON.parse(answer.body).error).toBe("string");
        if (answer.status >= 400) expect(await items()).toEqual(before);
      }),
      { numRuns: 150 },
    );
    expect(logged.filter((entry) => entry.level === "error")).toEqual([]);
  }, 120_000);

  it("a 500 (here: the table is gone) logs its cause, stack included, on the serve console", async () => {
    const config = loadLocalConfig({
      cwd: mkdtempSync(join(tmpdir(), "settlewatch-edges-")),
      env: { SETTLEWATCH_PORT: "0" },
    });
    config.tableName = `edges-gone-${Date.now()}`;
    const printed = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const broken = await startLocalMonitor(config, {
      dynamoDbEndpoint: inject("dynamoDbEndpoint"),
      logger: consoleLogger(),
    });
    try {
      await client.send(new DeleteTableCommand({ TableName: config.tableName }));
      const answer = await send(broken.url, { method: "GET", path: "/v1/merchants/m-1" });
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body)).toEqual({ error: "internal error" });
      const lines = printed.mock.calls.map(([line]) => String(line));
      const failure = lines.find((line) => line.includes("ERROR request failed"));
      expect(failure).toContain('"name":"ResourceNotFoundException"');
      expect(failure).toContain('"stack":"ResourceNotFoundException');
      expect(failure).toContain('"path":"/v1/merchants/m-1"');
    } finally {
      printed.mockRestore();
      await broken.stop();
    }
  });
});
