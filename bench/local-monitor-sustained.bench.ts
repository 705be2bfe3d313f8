/**
 * What the local monitor sustains over a long run: the monitor as `npm start` runs it (its own
 * DynamoDB Local on a data folder, file-backed, with the table stream), N confirmations sent over
 * its HTTP API in batches of 500, the rate printed per 5,000; then one count of the stream (what a
 * check does) timed. Run: node bin/run-ts.js bench/local-monitor-sustained.bench.ts [count]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signatureHeader } from "../functions/domain/confirmation/webhook-signature.js";
import { merchantProfileSchema } from "../functions/domain/merchant/merchant-profile.js";
import { MAX_BATCH_SIZE } from "../functions/use-cases/ingest-confirmations.js";
import { loadLocalConfig } from "../local/local-config.js";
import { startLocalMonitor } from "../local/monitor.js";

const COUNT = Number(process.argv[2] ?? 20_000);
const SEGMENT = 5_000;
const ACQUIRER = "bench-acq";
const SECRET = "whsec_bench_secret_0123456789";

const dataDir = mkdtempSync(join(tmpdir(), "settlewatch-sustained-"));
const config = loadLocalConfig({
  env: { SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [ACQUIRER]: [SECRET] }) },
});
config.port = 0;
config.dataDir = dataDir;
const monitor = await startLocalMonitor(config);
try {
  for (let m = 0; m < 200; m += 1)
    await monitor.deps.merchants.put(
      merchantProfileSchema.parse({
        merchantId: `m-${m}`,
        name: `Merchant ${m}`,
        timeZone: "Asia/Shanghai",
        calendar: "CN",
        settlement: { cycle: "T+1", arrivalBy: "18:00" },
      }),
    );
  const started = performance.now();
  let segmentStart = started;
  for (let offset = 0; offset < COUNT; offset += MAX_BATCH_SIZE) {
    const confirmations = Array.from({ length: Math.min(MAX_BATCH_SIZE, COUNT - offset) }, (_, k) => ({
      acquirer: ACQUIRER,
      paymentId: `sustained-${offset + k}`,
      merchantId: `m-${(offset + k) % 200}`,
      amountMinor: 1000 + ((offset + k) % 5000),
      currency: "CNY",
      confirmedAt: new Date(Date.now() - 3_600_000).toISOString(),
      orderId: `ORD-${offset + k}`,
    }));
    const body = JSON.stringify({ confirmations });
    const response = await fetch(`${monitor.url}/v1/confirmations`, {
      method: "POST",
      headers: { "settlewatch-signature": signatureHeader(SECRET, Math.floor(Date.now() / 1000), body) },
      body,
    });
    const answer = (await response.json()) as { counts?: { accepted: number } };
    if (answer.counts?.accepted !== confirmations.length) throw new Error("bench: a batch was not accepted");
    const done = offset + confirmations.length;
    if (done % SEGMENT === 0 || done === COUNT) {
      const now = performance.now();
      console.log(
        `confirmations ${done - SEGMENT + 1}-${done}: ${((SEGMENT / (now - segmentStart)) * 1000).toFixed(0)}/s`,
      );
      segmentStart = now;
    }
  }
  console.log(`all ${COUNT}: ${((COUNT / (performance.now() - started)) * 1000).toFixed(0)}/s`);
  const countStart = performance.now();
  const counted = await monitor.services.countTableChanges();
  console.log(
    `stream counted after: ${counted?.counted} changes in ${((performance.now() - countStart) / 1000).toFixed(1)} s`,
  );
} finally {
  await monitor.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
