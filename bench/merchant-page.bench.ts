/**
 * The merchant page on a cheap phone's terms: what its first load transfers, measured in Chromium
 * (Debian's, through playwright-core; the sum of every response's encoded bytes, headers included,
 * as the DevTools protocol reports them), and how fast "Did it arrive?" is answered on DynamoDB
 * Local with a merchant history of N payments: the lookup API's time as a client sees it (p50/p95),
 * and the time from tapping "check" to the verdict on screen in the browser.
 * Targets (issue 13): first load < 100 KB, lookup answered < 300 ms.
 * Run: node bin/run-ts.js bench/merchant-page.bench.ts [payments] [lookups]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signatureHeader } from "../functions/domain/confirmation/webhook-signature.js";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { loadLocalConfig } from "../local/local-config.js";
import { DEMO_MERCHANT, startLocalMonitor } from "../local/monitor.js";
import { launchChromium, PHONE } from "../test/support/chromium.js";

const PAYMENTS = Number(process.argv[2] ?? 5_000);
const LOOKUPS = Number(process.argv[3] ?? 200);
const FIRST_LOAD_TARGET = 100 * 1024;
const LOOKUP_TARGET_MS = 300;
const ACQUIRER = "bench-pay";
const SECRET = "whsec_bench_only_0123456789";
const MINUTE = 60_000;
const HISTORY_DAYS = 30;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

const dynamo = await startDynamoDbLocal();
const dataDir = mkdtempSync(join(tmpdir(), "settlewatch-bench-page-"));
const config = loadLocalConfig({
  cwd: dataDir,
  env: { SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [ACQUIRER]: [SECRET] }), SETTLEWATCH_PORT: "0" },
});
config.tableName = "bench-merchant-page";
const monitor = await startLocalMonitor(config, { dynamoDbEndpoint: dynamo.endpoint });
const base = monitor.url.replace("127.0.0.1", "localhost");

try {
  await fetch(`${monitor.url}/v1/merchants/${DEMO_MERCHANT.merchantId}`, {
    method: "PUT",
    body: JSON.stringify(DEMO_MERCHANT),
  });

  // The merchant's history: N payments over 30 days, amounts spread over 1.00-999.99, 1 in 50 in the
  // last half hour; 128.50 is confirmed 5 minutes ago (the lookup that finds something).
  const now = Date.now();
  const confirmations = Array.from({ length: PAYMENTS }, (_, i) => ({
    acquirer: ACQUIRER,
    paymentId: `4200${String(i).padStart(18, "0")}`,
    merchantId: DEMO_MERCHANT.merchantId,
    amountMinor: i === 0 ? 12850 : 100 + ((i * 7919) % 99_900),
    currency: "CNY",
    confirmedAt: new Date(
      i === 0
        ? now - 5 * MINUTE
        : i % 50 === 0
          ? now - (i % 30) * MINUTE
          : now - ((i * 104_729) % (HISTORY_DAYS * 1440)) * MINUTE,
    ).toISOString(),
    orderId: `ORD-${i}`,
    channel: i % 2 ? "alipay" : "wechat",
  }));
  const fillStart = performance.now();
  for (let start = 0; start < confirmations.length; start += 500) {
    const body = JSON.stringify({ confirmations: confirmations.slice(start, start + 500) });
    const answer = await fetch(`${monitor.url}/v1/confirmations`, {
      method: "POST",
      headers: { "settlewatch-signature": signatureHeader(SECRET, Math.floor(Date.now() / 1000), body) },
      body,
    });
    if (answer.status >= 300) throw new Error(`confirmations: ${answer.status} ${await answer.text()}`);
  }
  console.log(
    `history: ${PAYMENTS} payments over ${HISTORY_DAYS} days in ${ms(performance.now() - fillStart)}`,
  );

  // Sign in as the page does (CSRF header, code from the outbox), keep the session cookie.
  const postJson = (path: string, payload: unknown, cookie = "") =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-settlewatch-csrf": "1", origin: base, cookie },
      body: JSON.stringify(payload),
    });
  await postJson("/m/api/sign-in", { phone: "13800138000" });
  const outbox = readFileSync(join(config.dataDir, "outbox.jsonl"), "utf8").trim().split("\n");
  const code = /(?<!\d)(\d{6})(?!\d)/.exec((JSON.parse(outbox.at(-1) ?? "{}") as { text: string }).text)?.[1];
  const verified = await postJson("/m/api/verify", { phone: "13800138000", code });
  const cookie = (verified.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (verified.status !== 200 || !cookie) throw new Error(`verify: ${verified.status}`);

  // The lookup API as the page calls it: half find the 128.50 payment, half ask a faked amount.
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < LOOKUPS; i++) {
    const amountMinor = i % 2 === 0 ? 12850 : 128800;
    const started = performance.now();
    const answer = await fetch(
      `${base}/m/api/lookup?amountMinor=${amountMinor}&currency=CNY&withinMinutes=30`,
      {
        headers: { cookie },
      },
    );
    const body = (await answer.json()) as { verdict: string };
    times.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`lookup: ${answer.status} ${JSON.stringify(body)}`);
    if (body.verdict === "confirmed") found += 1;
  }
  if (found !== Math.ceil(LOOKUPS / 2))
    throw new Error(`expected ${Math.ceil(LOOKUPS / 2)} confirmed lookups, got ${found}`);
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);

  // In Chromium: the first load's bytes (a fresh phone: no cache), then tap-to-verdict times.
  const browser = await launchChromium();
  const context = await browser.newContext(PHONE);
  await context.addCookies([{ name: "sw_session", value: cookie.split("=")[1] ?? "", url: `${base}/m/` }]);
  // A returning merchant's phone: the session cookie and the page's signed-in hint, nothing cached.
  await context.addInitScript("localStorage.setItem('settlewatch.signedIn', '1')");
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const urls = new Map<string, string>();
  const transferred = new Map<string, number>();
  cdp.on("Network.requestWillBeSent", (event) => urls.set(event.requestId, event.request.url));
  // data: URLs (the time field's icon) transfer nothing.
  cdp.on("Network.loadingFinished", (event) => {
    const url = urls.get(event.requestId) ?? event.requestId;
    if (url.startsWith("data:")) return;
    transferred.set(url, (transferred.get(url) ?? 0) + event.encodedDataLength);
  });
  const loadStart = performance.now();
  await page.goto(`${base}/m/`, { waitUntil: "networkidle" });
  const loadMs = performance.now() - loadStart;
  await page.locator("#lookup-form").waitFor({ state: "visible" });
  const loaded = [...transferred];
  const firstLoad = loaded.reduce((sum, [, bytes]) => sum + bytes, 0);

  const tapTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    await page.fill("#amount", i % 2 === 0 ? "128.50" : "1288.00");
    const started = performance.now();
    await page.click("#lookup-form button[type=submit]");
    await page.locator(i % 2 === 0 ? ".verdict.ok" : ".verdict.none").waitFor();
    tapTimes.push(performance.now() - started);
    await page.evaluate("document.getElementById('answer').replaceChildren()");
  }
  await browser.close();

  console.log("\nfirst load (Chromium, 360x740, no cache; encoded bytes incl. headers):");
  for (const [url, bytes] of loaded)
    console.log(`  ${(bytes / 1024).toFixed(1).padStart(6)} KB  ${url.replace(base, "")}`);
  console.log(`  ${(firstLoad / 1024).toFixed(1).padStart(6)} KB  total, loaded in ${ms(loadMs)}`);
  console.log(
    `\nlookup API, ${LOOKUPS} calls on ${PAYMENTS} payments (half found, half faked): p50 ${ms(p50)}, p95 ${ms(p95)}, max ${ms(Math.max(...times))}`,
  );
  console.log(
    `tap "check" → verdict on screen in Chromium, 20 taps: p50 ${ms(percentile(tapTimes, 50))}, p95 ${ms(percentile(tapTimes, 95))}`,
  );
  const within = firstLoad < FIRST_LOAD_TARGET && p95 < LOOKUP_TARGET_MS;
  console.log(
    `\ntargets: first load < 100 KB ${firstLoad < FIRST_LOAD_TARGET ? "met" : "MISSED"}; lookup p95 < ${LOOKUP_TARGET_MS} ms ${p95 < LOOKUP_TARGET_MS ? "met" : "MISSED"}`,
  );
  process.exitCode = within ? 0 : 1;
} finally {
  await monitor.stop();
  await dynamo.stop();
}
