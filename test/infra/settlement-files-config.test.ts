import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AcquirerCsvMappingInput,
  parseAcquirerCsvMappings,
} from "../../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { envKeys, ingestSettlementFileEnvSchema } from "../../functions/shared/env.js";
import type { DeploymentInput } from "../../infra/config/deployment-schema.js";
import { loadDeployments } from "../../infra/config/deployments.js";
import { PINNED_LOGICAL_IDS } from "../../infra/constructs/pinned-logical-ids.js";
import { addSettlewatch, type DeploymentStacks, stackNames } from "../../infra/settlewatch-app.js";
import { settlementFileEnvironment } from "../../infra/stacks/settlement-files-stack.js";
import { readValidationReport, testApp } from "./support/synth.js";

// The settlement-file bucket, queue and function under a configuration other than cn-example's. No
// bundling (`aws:cdk:bundling-stacks: []`): only the templates are under test; cdk-nag still runs.

const mappings: [AcquirerCsvMappingInput, AcquirerCsvMappingInput] = [
  {
    acquirer: "bank-x-csv",
    delimiter: ";",
    columns: {
      reference: "Ref",
      merchantReference: ["Order", "Order No"],
      net: "Net",
      valueDate: "Value date",
    },
    defaultCurrency: "EUR",
    valueDateFormat: "DD.MM.YYYY",
    decimalSeparator: ",",
  },
  {
    acquirer: "bank-y-csv",
    columns: { reference: "id", gross: "amount", currency: "ccy", valueDate: "date" },
    amountUnit: "minor",
  },
];

const input: DeploymentInput = {
  name: "test-files",
  region: "eu-central-1",
  stage: "prod",
  acquirers: [
    { id: "bank-x", name: "Bank X", csvMappings: [mappings[0]] },
    { id: "bank-y", name: "Bank Y", csvMappings: [mappings[1]] },
    { id: "card", name: "Card acquirer" },
  ],
  webhookSecretName: "settlewatch/test-files/webhook-secrets",
  defaultMerchantTerms: { timeZone: "Europe/Berlin", calendar: "DE", settlement: { cycle: "T+1" } },
  calendarOverridesParameter: "/settlewatch/test-files/calendar-overrides",
  settlementFiles: {
    retentionDays: 3650,
    noncurrentVersionDays: 30,
    accessLogDays: 730,
    ingest: { timeoutMinutes: 10, memoryMb: 2048, maxConcurrency: 3, maxReceiveCount: 20 },
  },
};

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
const ofType = (template: Template, type: string) =>
  Object.values(template.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === type);

describe("settlement files under a fully configured deployment", () => {
  let stacks: DeploymentStacks;
  let data: Template;
  let files: Template;
  let outdir: string;
  let cleanup: () => void;

  beforeAll(() => {
    const test = testApp({ "aws:cdk:bundling-stacks": [] });
    ({ outdir, cleanup } = test);
    const [deployment] = loadDeployments([input]);
    if (!deployment) throw new Error("no deployment");
    const [added] = addSettlewatch(test.app, [deployment]);
    if (!added) throw new Error("no stacks");
    stacks = added;
    test.app.synth();
    data = Template.fromStack(stacks.data);
    files = Template.fromStack(stacks.settlementFiles);
  }, 60_000);
  afterAll(() => cleanup?.());

  it("adds a fourth stack per deployment, named after it", () => {
    expect(stacks.settlementFiles.stackName).toBe("Settlewatch-test-files-SettlementFiles");
    expect(stackNames({ name: "test-files" }).settlementFiles).toBe(stacks.settlementFiles.stackName);
    // prod: termination protection, as the other stacks.
    expect(stacks.settlementFiles.terminationProtection).toBe(true);
    // It uses the data and notifications stacks; neither uses it.
    expect(stacks.settlementFiles.dependencies.map((s) => s.stackName).sort()).toEqual(
      [stacks.data.stackName, stacks.notifications.stackName].sort(),
    );
    for (const other of [stacks.data, stacks.api, stacks.notifications])
      expect(other.dependencies).not.toContain(stacks.settlementFiles);
  });

  it("expires files after retentionDays and old versions after noncurrentVersionDays; logs after accessLogDays", () => {
    const bucket = (data.toJSON().Resources as Record<string, Resource>)[
      PINNED_LOGICAL_IDS.settlementFilesBucket
    ];
    expect(bucket?.DeletionPolicy).toBe("Retain");
    expect(bucket?.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: "expire-noncurrent-versions",
          Status: "Enabled",
          ExpirationInDays: 3650,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
        { Id: "remove-expired-delete-markers", Status: "Enabled", ExpiredObjectDeleteMarker: true },
      ],
    });
    data.hasResourceProperties("AWS::S3::Bucket", {
      LifecycleConfiguration: {
        Rules: [{ Id: "expire-access-logs", Status: "Enabled", ExpirationInDays: 730 }],
      },
    });
  });

  it("derives the queue's visibility timeout from the function's timeout and uses the configured deliveries", () => {
    data.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 6 * 10 * 60,
      RedrivePolicy: { maxReceiveCount: 20 },
    });
    const [fn] = ofType(files, "AWS::Lambda::Function");
    expect(fn?.Properties).toMatchObject({ Timeout: 600, MemorySize: 2048 });
    expect(ofType(files, "AWS::Lambda::EventSourceMapping")[0]?.Properties).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it("hands every acquirer's CSV mappings to the function, in order, and its own parser accepts them", () => {
    const [fn] = ofType(files, "AWS::Lambda::Function");
    if (!fn) throw new Error("no function in the settlement files stack");
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [
        ...envKeys.ingestSettlementFile.filter((key) => key !== "CALENDAR_OVERRIDES_PARAMETER"),
        "NODE_OPTIONS",
      ].sort(),
    );
    const env = ingestSettlementFileEnvSchema.parse({
      ...variables,
      TABLE_NAME: "settlewatch-table",
      SETTLEMENT_BUCKET: "settlewatch-files",
      NOTICE_QUEUE_URL: "https://sqs.eu-central-1.amazonaws.com/123456789012/notices",
      DISTRIBUTED_INGEST_STATE_MACHINE_ARN:
        "arn:aws:states:eu-central-1:123456789012:stateMachine:distributed-ingest",
    });
    // What the handler does at init (ingest-settlement-file.handler.ts).
    const parsed = parseAcquirerCsvMappings(JSON.parse(env.ACQUIRER_CSV_MAPPINGS));
    expect(parsed.map((mapping) => mapping.acquirer)).toEqual(["bank-x-csv", "bank-y-csv"]);
    expect(parsed[0]).toMatchObject({ delimiter: ";", decimalSeparator: ",", defaultCurrency: "EUR" });
    expect(parsed[1]).toMatchObject({ delimiter: ",", amountUnit: "minor" });
    // As written in the config: the defaults are left to the function (smaller environment).
    expect(JSON.parse(env.ACQUIRER_CSV_MAPPINGS)).toEqual(mappings);
  });

  it("keeps the same pinned logical IDs whatever the configuration, and passes cdk-nag", () => {
    const ids = Object.keys(data.toJSON().Resources as object);
    for (const id of [
      PINNED_LOGICAL_IDS.settlementFilesKey,
      PINNED_LOGICAL_IDS.settlementFileQueueKey,
      PINNED_LOGICAL_IDS.settlementFilesBucket,
      PINNED_LOGICAL_IDS.settlementFilesAccessLogsBucket,
      PINNED_LOGICAL_IDS.settlementFileQueue,
      PINNED_LOGICAL_IDS.settlementFileDeadLetterQueue,
    ])
      expect(ids).toContain(id);
    const nag = readValidationReport(outdir).pluginReports.find((r) => r.pluginName === "AwsSolutions");
    expect(nag?.violations).toEqual([]);
  });
});

describe("ACQUIRER_CSV_MAPPINGS", () => {
  it('is "[]" when no acquirer has CSV mappings', () => {
    const [deployment] = loadDeployments([{ ...input, acquirers: [{ id: "card", name: "Card" }] }]);
    if (!deployment) throw new Error("no deployment");
    expect(settlementFileEnvironment(deployment)).toEqual({ ACQUIRER_CSV_MAPPINGS: "[]" });
  });

  it("fails synth (not a deploy) when the configured mappings exceed Lambda's 4 KB environment", () => {
    const many = Array.from({ length: 40 }, (_, index) => ({
      acquirer: `bank-${index}-csv`,
      columns: { reference: "Reference number", net: "Net settlement amount", valueDate: "Value date" },
      defaultCurrency: "EUR",
    }));
    const test = testApp({ "aws:cdk:bundling-stacks": [] });
    const [deployment] = loadDeployments([
      { ...input, acquirers: [{ id: "bank", name: "Bank", csvMappings: many }] },
    ]);
    if (!deployment) throw new Error("no deployment");
    addSettlewatch(test.app, [deployment]);
    try {
      expect(() => test.app.synth()).toThrow(
        /IngestSettlementFile: \d+ bytes of variables .* Lambda takes 4096 in all/,
      );
    } finally {
      test.cleanup();
    }
  });
});
