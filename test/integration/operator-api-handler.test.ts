import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { createTestTable, handlerEnvFor, type TestTable } from "../support/dynamodb.js";
import { type HttpApiHandler, httpApiEvent, lambdaContext } from "../support/http-api-event.js";
import { anyBody, anyHeaders, anyMethod, anyPath } from "../support/http-arbitraries.js";
import { SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

// The real operator Lambda on DynamoDB Local; SNS (email subscriptions) is mocked at its SDK boundary.
const sns = mockClient(SNSClient);

describe("operator API Lambda handler at the HTTP edge", () => {
  let table: TestTable;
  let handler: HttpApiHandler;
  const invoke = async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ) => {
    const [rawPath = "/", rawQueryString = ""] = path.split(/\?(.*)/s);
    const event = httpApiEvent({
      method,
      path: rawPath,
      query: rawQueryString,
      headers,
      routeKey: "$default",
      ...(body === undefined ? {} : { body }),
    });
    const result = await handler(event, lambdaContext("operator"));
    return { status: result.statusCode ?? 0, headers: result.headers ?? {}, body: String(result.body ?? "") };
  };
  const items = async () => {
    const page = await table.client.send(
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
    );
    return (page.Items ?? []).map((item) => JSON.stringify(item)).sort();
  };
  let errors: MockInstance;
  let infos: MockInstance;

  beforeAll(async () => {
    table = await createTestTable();
    Object.assign(process.env, {
      ...handlerEnvFor(table),
      EMAIL_TOPIC_PREFIX: "settlewatch-test",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    sns.onAnyCommand().rejects(new Error("no SNS call expected: the test merchant has no email"));
    // Imported once the environment is set: the logger and metrics read it when they are created.
    const { logger } = await import("../../functions/shared/observability.js");
    errors = vi.spyOn(logger, "error");
    infos = vi.spyOn(logger, "info");
    ({ handler } = await import("../../functions/handlers/operator-api.handler.js"));
    const put = await invoke("PUT", "/v1/merchants/m-shanghai-001", JSON.stringify(SHANGHAI_MERCHANT));
    expect(put.status).toBe(201);
  });

  it("answers 400 to broken percent-encoding and over-long ids, 405 with Allow to another method", async () => {
    const huge = "a".repeat(10_000);
    const before = await items();
    infos.mockClear();
    const cases: Array<[string, string, number, string]> = [
      ["GET", "/v1/merchants/%E0%A4%A", 400, 'the id "%E0%A4%A" in the path is not valid percent-encoding'],
      ["GET", "/v1/payments/acme-pay/%ZZ", 400, 'the id "%ZZ" in the path is not valid percent-encoding'],
      ["PUT", `/v1/merchants/${huge}`, 400, "an id in the path is longer than 256 characters (10000)"],
      ["GET", `/v1/settlement-files/${huge}`, 400, "an id in the path is longer than 256 characters"],
      [
        "POST",
        "/v1/merchants/m-shanghai-001",
        405,
        "method POST is not allowed on /v1/merchants/m-shanghai-001",
      ],
    ];
    for (const [method, path, status, error] of cases) {
      const answer = await invoke(method, path, JSON.stringify(SHANGHAI_MERCHANT));
      expect([method, path.slice(0, 40), answer.status]).toEqual([method, path.slice(0, 40), status]);
      expect(JSON.parse(answer.body).error).toContain(error);
    }
    expect((await invoke("DELETE", "/v1/merchants/m1")).headers).toMatchObject({ allow: "PUT, GET" });
    expect(await items()).toEqual(before);
    // What is logged of a 10 KB path is its first 200 characters.
    for (const call of infos.mock.calls) expect(JSON.stringify(call).length).toBeLessThan(1_000);
    expect(errors).not.toHaveBeenCalled();
  });

  it("fuzz: any method, path, headers and body get a 2xx/4xx answer, and a refused request writes nothing", async () => {
    errors.mockClear();
    await fc.assert(
      fc.asyncProperty(anyMethod, anyPath, anyHeaders, anyBody, async (method, path, headers, body) => {
        const before = await items();
        const answer = await invoke(method, path, body, headers);
        expect(answer.status).toBeGreaterThanOrEqual(200);
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) {
          expect(typeof JSON.parse(answer.body).error).toBe("string");
          expect(await items()).toEqual(before);
        }
      }),
      { numRuns: 150 },
    );
    expect(errors).not.toHaveBeenCalled();
  }, 120_000);
});
