import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { merchantProfileSchema } from "../../functions/domain/merchant/merchant-profile.js";
import { ingestConfirmations } from "../../functions/use-cases/ingest-confirmations.js";
import type { CalendarCheckReport } from "../../functions/use-cases/run-calendar-check.js";
import { CALENDAR_HORIZON_METRIC } from "../../infra/stacks/notifications-stack.js";
import { confirmation, signed } from "../support/confirmations.js";
import { createTestTable, type TestTable } from "../support/dynamodb.js";
import { ingestDeps, SHANGHAI_MERCHANT } from "../support/ingest-deps.js";

// The real check-calendars handler on DynamoDB Local, SSM mocked at the SDK boundary: the EMF it
// prints is what the CalendarHorizon alarm (notifications stack) and the ops read.

const ssm = mockClient(SSMClient);
const PARAMETER = "/settlewatch/test/calendar-overrides";
const CN_2027 = [{ region: "CN", years: [2027], holidays: { "2027-01-01": "New Year's Day" } }];

interface EmfDocument {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

describe("check-calendars handler: horizon metrics as EMF", () => {
  let table: TestTable;
  const printed: string[] = [];
  const context = { functionName: "test", awsRequestId: "r1" } as unknown as Context;
  let handler: (event: unknown, context: Context) => Promise<CalendarCheckReport>;
  let overrides: unknown;

  const documents = (): EmfDocument[] =>
    printed
      .flatMap((chunk) => chunk.split("\n"))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as EmfDocument);
  const metric = (name: string) =>
    documents().filter((doc) => doc._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name));

  beforeAll(async () => {
    table = await createTestTable();
    const { deps } = ingestDeps(table, new Date("2026-09-30T08:00:00Z"));
    await deps.merchants.put(merchantProfileSchema.parse({ ...SHANGHAI_MERCHANT, calendar: "HK" }));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_REGION: "local-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      TABLE_NAME: table.tableName,
      DEPLOYMENT: "test",
      POWERTOOLS_SERVICE_NAME: "settlewatch",
      POWERTOOLS_METRICS_NAMESPACE: "Settlewatch",
      POWERTOOLS_METRICS_DISABLED: "false",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      DEFAULT_MERCHANT_TERMS: JSON.stringify({
        timeZone: "Asia/Shanghai",
        calendar: "CN",
        settlement: { cycle: "T+1", cutoff: "23:59", arrivalBy: "18:00", graceMinutes: 60 },
      }),
      CALENDAR_OVERRIDES_PARAMETER: PARAMETER,
      CALENDAR_HORIZON_DAYS: "90",
    });
    ssm
      .on(GetParameterCommand)
      .callsFake(() =>
        overrides === undefined
          ? Promise.reject(Object.assign(new Error("not found"), { name: "ParameterNotFound" }))
          : Promise.resolve({ Parameter: { Name: PARAMETER, Value: JSON.stringify(overrides) } }),
      );
    const capture = (chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.useFakeTimers({ toFake: ["Date"] });
    ({ handler } = await import("../../functions/handlers/check-calendars.handler.js"));
  });

  beforeEach(() => {
    printed.length = 0;
  });

  afterAll(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("4 Oct 2026, no override: CN (the default terms' calendar) lacks 2027 within 90 days, HK does not", async () => {
    vi.setSystemTime(new Date("2026-10-04T00:00:00Z"));
    const report = await handler({}, context);
    expect(report.calendars).toEqual([
      { region: "CN", missingYears: [2027] },
      { region: "HK", missingYears: [] },
    ]);
    const [total] = metric(CALENDAR_HORIZON_METRIC);
    expect(total?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "Settlewatch",
      Dimensions: [["service", "deployment"]],
    });
    expect(total?.[CALENDAR_HORIZON_METRIC]).toBe(1);
    const [year] = metric("CalendarYearMissing");
    expect(year?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ["service", "deployment", "calendar", "year"],
    ]);
    expect(year).toMatchObject({ calendar: "CN", year: "2027", deployment: "test", CalendarYearMissing: 1 });
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toMatchObject({ Name: PARAMETER });
  });

  it("2 Jan 2027, no override: a held CN payment past its guessed overdue time is counted per calendar and year", async () => {
    const at = new Date("2026-12-31T07:00:00Z");
    const rawBody = JSON.stringify(
      confirmation({
        paymentId: "p-held",
        merchantId: "m-unregistered", // default terms: the CN calendar (the registered merchant uses HK)
        confirmedAt: "2026-12-31T15:00:00+08:00",
      }),
    );
    const { deps } = ingestDeps(table, at);
    await ingestConfirmations({ rawBody, signatureHeader: signed(rawBody, at) }, deps);
    vi.setSystemTime(new Date("2027-01-02T00:00:00Z"));
    const report = await handler({}, context);
    expect(report.holds).toEqual([{ region: "CN", year: 2027, covered: false, recomputed: 0, pastDue: 1 }]);
    const [held] = metric("PaymentsAwaitingCalendar");
    expect(held?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ["service", "deployment", "calendar", "year"],
    ]);
    expect(held).toMatchObject({ calendar: "CN", year: "2027", PaymentsAwaitingCalendar: 1 });
  });

  it("with the 2027 override in the parameter the horizon is covered: the alarm's metric is 0, nothing else", async () => {
    overrides = CN_2027;
    vi.setSystemTime(new Date("2027-01-02T01:00:00Z")); // past the parameter cache (5 min)
    const report = await handler({}, context);
    expect(report.calendars).toEqual([
      { region: "CN", missingYears: [] },
      { region: "HK", missingYears: [] },
    ]);
    expect(metric(CALENDAR_HORIZON_METRIC).map((doc) => doc[CALENDAR_HORIZON_METRIC])).toEqual([0]);
    expect(metric("CalendarYearMissing")).toEqual([]);
    // The held payment is recomputed and back on the due index.
    expect(report.holds).toEqual([{ region: "CN", year: 2027, covered: true, recomputed: 1, pastDue: 0 }]);
  });
});
