/**
 * Ingest throughput on DynamoDB Local: 20,000 confirmations through the use case and through the local
 * HTTP API, next to the bare PutItem writes of the same items at the same concurrency, in one run.
 * Each round runs on a DynamoDB Local of its own, as each `npm start` does: DynamoDB Local looks up
 * the first record of a table's stream on every write by scanning its stream records in order, with
 * no index, so on an instance shared with an earlier monitor's table every write of the later
 * table's stream scans the earlier one's records (round 2 fell to 0.06-0.08× of bare writes that
 * way). See docs/benchmarks.md.
 * Run: node bin/run-ts.js bench/ingest.bench.ts [count]
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { toItem } from "../functions/adapters/dynamodb/payment-repository.js";
import { validateConfirmation } from "../functions/domain/confirmation/confirmation.js";
import { signatureHeader } from "../functions/domain/confirmation/webhook-signature.js";
import { merchantProfileSchema } from "../functions/domain/merchant/merchant-profile.js";
import { confirmationFingerprint } from "../functions/domain/payment/payment.js";
import { ingestConfirmations, MAX_BATCH_SIZE } from "../functions/use-cases/ingest-confirmations.js";
import { localDynamoDbClient, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { loadLocalConfig } from "../local/local-config.js";
import { startLocalMonitor } from "../local/monitor.js";
import { ensureTable } from "../local/table-setup.js";

const COUNT = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = 16; // the use case's per-request write concurrency
const ACQUIRER = "bench-acq";
const SECRET = "whsec_bench_secret_0123456789";
const NOW = new Date("2026-10-12T08:00:00Z");

function confirmations(prefix: string) {
  return Array.from({ length: COUNT }, (_, i) => ({
    acquirer: ACQUIRER,
    paymentId: `${prefix}-${i}`,
    merchantId: `m-${i % 200}`,
    amountMinor: 1000 + (i % 5000),
    currency: "CNY",
    confirmedAt: new Date(Date.parse("2026-10-01T00:00:00Z") + i * 37_000).toISOString(),
    orderId: `ORD-${prefix}-${i}`,
  }));
}

const rate = (n: number, ms: number) => (n / ms) * 1000;
const figures: Record<string, number> = {};

const config = loadLocalConfig({
  env: { SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [ACQUIRER]: [SECRET] }) },
});
config.port = 0;

for (const round of [1, 2]) {
  const dynamo = await startDynamoDbLocal();
  const client = localDynamoDbClient(dynamo.endpoint);
  const db = documentClient(client);
  try {
    // 1. Bare writes: the same items the repository writes, plain PutItem, same concurrency.
    const bareTable = `bench-bare-${round}`;
    await ensureTable(client, bareTable, { stream: false });
    const items = confirmations(`bare${round}`).map((raw) => {
      const parsed = validateConfirmation(raw, NOW);
      if (!parsed.ok) throw new Error("bench data invalid");
      return toItem(
        {
          ...parsed.value,
          confirmedAtUtc: parsed.value.confirmedAt,
          status: "PENDING",
          merchantRegistered: true,
          arrival: {
            tradeDate: "2026-10-01",
            dueDate: "2026-10-09",
            expectedBy: "2026-10-09T10:00:00.000Z",
            overdueAt: "2026-10-09T11:00:00.000Z",
            explanation: "T+1 business day …",
            calendarCoverage: "covered",
          },
          fingerprint: confirmationFingerprint(parsed.value),
          receivedAt: NOW.toISOString(),
        },
        16,
      );
    });
    let start = performance.now();
    await pMap(items, (Item) => db.send(new PutCommand({ TableName: bareTable, Item })), {
      concurrency: CONCURRENCY,
    });
    figures[`bare writes r${round}`] = rate(COUNT, performance.now() - start);

    // 2. The use case: signature, validation, merchant lookup, expected arrival, conditional write.
    config.tableName = `bench-usecase-${round}`;
    const monitor = await startLocalMonitor(config, {
      dynamoDbEndpoint: dynamo.endpoint,
      clock: { now: () => NOW },
    });
    for (let m = 0; m < 200; m += 1) {
      await monitor.deps.merchants.put(
        merchantProfileSchema.parse({
          merchantId: `m-${m}`,
          name: `Merchant ${m}`,
          timeZone: "Asia/Shanghai",
          calendar: "CN",
          settlement: { cycle: "T+1", arrivalBy: "18:00" },
        }),
      );
    }
    const useCaseItems = confirmations(`uc${round}`);
    start = performance.now();
    for (let offset = 0; offset < COUNT; offset += MAX_BATCH_SIZE) {
      const rawBody = JSON.stringify({ confirmations: useCaseItems.slice(offset, offset + MAX_BATCH_SIZE) });
      const signature = signatureHeader(SECRET, Math.floor(NOW.getTime() / 1000), rawBody);
      const { results } = await ingestConfirmations({ rawBody, signatureHeader: signature }, monitor.deps);
      if (results.some((result) => result.status !== "accepted"))
        throw new Error("bench: a confirmation was not accepted");
    }
    figures[`use case r${round}`] = rate(COUNT, performance.now() - start);

    // 3. Through the local HTTP API (same use case behind node:http).
    const httpItems = confirmations(`http${round}`);
    start = performance.now();
    for (let offset = 0; offset < COUNT; offset += MAX_BATCH_SIZE) {
      const body = JSON.stringify({ confirmations: httpItems.slice(offset, offset + MAX_BATCH_SIZE) });
      const response = await fetch(`${monitor.url}/v1/confirmations`, {
        method: "POST",
        headers: { "settlewatch-signature": signatureHeader(SECRET, Math.floor(NOW.getTime() / 1000), body) },
        body,
      });
      const answer = (await response.json()) as { counts: { accepted: number } };
      if (answer.counts.accepted !== Math.min(MAX_BATCH_SIZE, COUNT - offset))
        throw new Error("bench: HTTP batch not accepted");
    }
    figures[`local HTTP API r${round}`] = rate(COUNT, performance.now() - start);
    await monitor.stop();
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

console.log(`ingest: ${COUNT} confirmations, write concurrency ${CONCURRENCY}, DynamoDB Local (in memory)`);
for (const [name, value] of Object.entries(figures))
  console.log(`  ${name.padEnd(24)} ${value.toFixed(0).padStart(7)} items/s`);
for (const round of [1, 2]) {
  const bare = figures[`bare writes r${round}`] ?? Number.NaN;
  console.log(
    `  round ${round}: use case / bare = ${((figures[`use case r${round}`] ?? 0) / bare).toFixed(2)}x, ` +
      `HTTP / bare = ${((figures[`local HTTP API r${round}`] ?? 0) / bare).toFixed(2)}x (target >= 0.90x)`,
  );
}
