import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MERCHANT_PAGE_CSP } from "../../functions/http/merchant-page.js";
import { REPO_ROOT } from "../../infra/constructs/settlewatch-function.js";
import { loadLocalConfig } from "../../local/local-config.js";
import { DEMO_MERCHANT, type LocalMonitor, startLocalMonitor } from "../../local/monitor.js";
import { launchChromium, PHONE } from "../support/chromium.js";
import { confirmation, signed, TEST_ACQUIRER, TEST_SECRET } from "../support/confirmations.js";
import {
  credentialsJson,
  platformKeys,
  startFakePlatform,
  WECHAT_MCHID,
  wechatPayAnswer,
} from "../support/fake-platforms.js";
import { CSV_HEADER, TEST_CSV_MAPPING } from "../support/settlement.js";

// The merchant page in a real headless Chromium (Debian's, driven by playwright-core) at a phone's
// viewport, in zh-CN and in English, against the local monitor on DynamoDB Local: sign-in with the
// code from the outbox, a lookup that finds a confirmed payment, a lookup of a faked amount that
// finds nothing, the outstanding list, an order number "<script>…" shown as text, and the CSP.
// SETTLEWATCH_SCREENSHOTS=1 writes the screens to docs/images/merchant-page-<lang>-<screen>.png.

const SCREENSHOTS = process.env.SETTLEWATCH_SCREENSHOTS === "1";
const IMAGES = join(REPO_ROOT, "docs/images");
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const HOSTILE_ORDER = "<script>alert(1)</script><i>x";

describe("merchant page in Chromium (phone viewport, zh-CN and en)", { timeout: 120_000 }, () => {
  let monitor: LocalMonitor;
  let browser: Browser;
  let pageUrl: string;
  let outboxFile: string;
  let wechatPay: Awaited<ReturnType<typeof startFakePlatform>>;

  const post = async (path: string, payload: unknown, headers: Record<string, string> = {}) => {
    const body = JSON.stringify(payload);
    const response = await fetch(`${monitor.url}${path}`, { method: "POST", headers, body });
    expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
    return response;
  };
  const confirm = (paymentId: string, amountMinor: number, confirmedAt: Date, extra = {}) => {
    const payload = confirmation({
      paymentId,
      merchantId: DEMO_MERCHANT.merchantId,
      amountMinor,
      confirmedAt: confirmedAt.toISOString(),
      channel: "wechat",
      ...extra,
    });
    const body = JSON.stringify(payload);
    return post("/v1/confirmations", payload, { "settlewatch-signature": signed(body, new Date()) });
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "settlewatch-page-browser-"));
    const config = loadLocalConfig({
      cwd: dataDir,
      env: {
        SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
        SETTLEWATCH_PORT: "0",
      },
    });
    config.tableName = `page-browser-${Date.now()}`;
    config.acquirerCsv = TEST_CSV_MAPPING;
    config.acquirerContacts = {
      [TEST_ACQUIRER]: { names: { "zh-CN": "艾克美支付", en: "Acme Pay" }, hotline: "95017" },
    };
    outboxFile = join(config.dataDir, "outbox.jsonl");
    // WeChat Pay for the real-time check: a local server answering as the platform, signed with a test key.
    const keys = platformKeys();
    wechatPay = await startFakePlatform((request) => {
      const orderNo = /out-trade-no\/([^?]*)/.exec(request.url)?.[1] ?? "";
      const state = orderNo === "WXPAID000001" ? "SUCCESS" : "NOTPAY";
      const body = {
        mchid: WECHAT_MCHID,
        out_trade_no: orderNo,
        trade_state: state,
        amount: { total: 128800, currency: "CNY" },
      };
      return wechatPayAnswer({ status: 200, body, now: new Date(), key: keys.wechatPlatform.privateKey });
    });
    config.merchantPage.platformCheck = { timeoutMs: 3000, wechatpay: { endpoint: wechatPay.url } };
    config.platformCredentials = { wechatpay: credentialsJson(keys).wechatpay };
    monitor = await startLocalMonitor(config, { dynamoDbEndpoint: inject("dynamoDbEndpoint") });
    // localhost, not 127.0.0.1: the browser's secure context for the Secure session cookie.
    pageUrl = `${monitor.url.replace("127.0.0.1", "localhost")}/m/`;

    const put = await fetch(`${monitor.url}/v1/merchants/${DEMO_MERCHANT.merchantId}`, {
      method: "PUT",
      body: JSON.stringify({ ...DEMO_MERCHANT, platformAccounts: { wechatpay: { mchid: WECHAT_MCHID } } }),
    });
    expect(put.status).toBeLessThan(300);
    const now = Date.now();
    await confirm("4200001234202612040042", 12850, new Date(now - 5 * MINUTE), {
      orderId: "ORD-20261204-0042",
    });
    await confirm("4200001234202612040043", 6600, new Date(now - 8 * MINUTE), { orderId: HOSTILE_ORDER });
    await confirm("2088001234202612010007", 45000, new Date(now - 20 * DAY), {
      orderId: "ORD-20261130-0007",
      channel: "alipay",
    });
    await confirm("4200001234202612020011", 9900, new Date(now - 2 * DAY), { orderId: "ORD-20261202-0011" });
    // The 2-day-old one arrived: the acquirer's settlement file of yesterday says so.
    const yesterday = new Date(now - DAY).toISOString().slice(0, 10);
    const csv = `${CSV_HEADER}\n4200001234202612020011,,${DEMO_MERCHANT.merchantId},99.00,0.59,98.41,CNY,${yesterday},PAY\n`;
    const upload = await fetch(
      `${monitor.url}/v1/settlement-files?acquirer=${TEST_ACQUIRER}&fileName=day.csv`,
      {
        method: "POST",
        body: csv,
      },
    );
    expect(upload.status, await upload.clone().text()).toBe(201);
    // The 20-day-old payment is past its T+1 due time whatever the holidays: the check marks it OVERDUE.
    await post("/local/check", {});
    browser = await launchChromium();
    if (SCREENSHOTS) mkdirSync(IMAGES, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await monitor?.stop();
    await wechatPay?.close();
  });

  /** The latest sign-in code the outbox holds (the SMS text of the sign-in-code template). */
  const latestCode = (): string => {
    const texts = readFileSync(outboxFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { channel: string; text: string })
      .filter((notice) => notice.channel === "sms")
      .map((notice) => /(?<!\d)(\d{6})(?!\d)/.exec(notice.text)?.[1])
      .filter((code): code is string => code !== undefined);
    const code = texts.at(-1);
    if (!code) throw new Error(`no sign-in code in ${outboxFile}`);
    return code;
  };

  const shot = async (page: Page, lang: string, screen: string, fullPage = false) => {
    if (SCREENSHOTS) {
      await page.screenshot({ path: join(IMAGES, `merchant-page-${lang}-${screen}.png`), fullPage });
    }
  };

  /** The answer is on the phone's one screen: `selector` lies wholly inside the 360×740 viewport. */
  const onScreen = async (page: Page, selector: string) => {
    const box = await page.locator(selector).first().boundingBox();
    expect(box, selector).not.toBeNull();
    expect(box?.y).toBeGreaterThanOrEqual(0);
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(PHONE.viewport.height);
  };

  /** A fresh phone (no cookie, no stored language) on the page, with every CSP report and dialog collected. */
  const openPhone = async () => {
    const context = await browser.newContext({ ...PHONE, locale: "zh-CN" });
    const page = await context.newPage();
    const violations: string[] = [];
    const dialogs: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Trusted Type/i.test(message.text())) violations.push(message.text());
    });
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const response = await page.goto(pageUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toBe(MERCHANT_PAGE_CSP);
    return { context, page, violations, dialogs };
  };

  const cases = [
    {
      lang: "zh-CN",
      title: "到账查询",
      confirmed: "已确认收款",
      channel: "微信支付",
      none: "没有找到这笔付款",
      advice: "不要只凭顾客手机上的付款截图交货。",
      overdue: "已逾期",
      call: /请致电艾克美支付（95017），并提供交易单号2088001234202612010007。/,
      arrived: { SETTLED: "已到账", SETTLED_LATE: "已到账（延迟）" },
      platform: { ask: "向微信支付查询", paid: "微信支付：已支付", notPaid: "微信支付：未支付" },
    },
    {
      lang: "en",
      title: "Did it arrive?",
      confirmed: "Payment confirmed",
      channel: "WeChat Pay",
      none: "No such payment",
      advice: "Do not hand over the goods on a screenshot alone.",
      overdue: "Overdue",
      call: /Call Acme Pay on 95017 and quote reference 2088001234202612010007\./,
      arrived: { SETTLED: "Arrived", SETTLED_LATE: "Arrived late" },
      platform: { ask: "Check with WeChat Pay", paid: "WeChat Pay: paid", notPaid: "WeChat Pay: not paid" },
    },
  ] as const;

  for (const expected of cases) {
    it(`${expected.lang}: signs in with the SMS code, finds a payment, refuses a faked one, lists what is outstanding`, async () => {
      const { context, page, violations, dialogs } = await openPhone();
      try {
        await page.locator("#phone").waitFor({ state: "visible" });
        expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
        if (expected.lang === "en") {
          await page.click("#lang");
          expect(await page.getAttribute("html", "lang")).toBe("en");
        }
        expect(await page.textContent("h1")).toBe(expected.title);
        await page.fill("#phone", "13800138000");
        await shot(page, expected.lang, "sign-in");
        await page.click("#phone-form button[type=submit]");
        await page.locator("#code").waitFor({ state: "visible" });
        await page.fill("#code", latestCode());
        await shot(page, expected.lang, "code");
        await page.click("#code-form button[type=submit]");
        await page.locator("#lookup-form").waitFor({ state: "visible" });
        const cookies = await context.cookies();
        expect(cookies.find((cookie) => cookie.name === "sw_session")).toMatchObject({
          httpOnly: true,
          secure: true,
          sameSite: "Strict",
          path: "/m/",
        });

        // "Did it arrive?": ¥128.50 in the last 30 minutes → confirmed, with time, channel, reference.
        await page.fill("#amount", "128.50");
        await page.click("#lookup-form button[type=submit]");
        await page.locator(".verdict.ok").waitFor();
        expect(await page.textContent(".verdict.ok strong")).toBe(expected.confirmed);
        const card = page.locator("#answer .payment");
        expect(await card.count()).toBe(1);
        const cardText = (await card.textContent()) ?? "";
        expect(cardText).toContain("128.50");
        expect(cardText).toContain(expected.channel);
        expect(cardText).toMatch(/4200\*+0042/);
        expect(cardText).not.toContain("4200001234202612040042");
        expect(cardText).toContain("(Asia/Shanghai)");
        expect(cardText).toContain("…0042");
        await onScreen(page, ".verdict.ok");
        await onScreen(page, "#answer .payment");
        await shot(page, expected.lang, "confirmed");

        // A faked screenshot's amount: nothing confirmed → the large "do not hand over" answer.
        await page.fill("#amount", "1288.00");
        await page.click("#lookup-form button[type=submit]");
        await page.locator(".verdict.none").waitFor();
        expect(await page.textContent(".verdict.none strong")).toBe(expected.none);
        expect(await page.textContent(".verdict.none")).toContain(expected.advice);
        expect(await page.locator("#answer .payment").count()).toBe(0);
        await onScreen(page, ".verdict.none");
        // Browser-side code as text: the tests' tsconfig has no DOM types.
        const fontSize = await page.evaluate<string>(
          "getComputedStyle(document.querySelector('.verdict.none strong')).fontSize",
        );
        expect(Number.parseFloat(fontSize)).toBeGreaterThanOrEqual(24);
        await shot(page, expected.lang, "not-found");

        // Not confirmed to settlewatch: ask WeChat Pay itself by the full order number.
        const ask = page.locator(".platform-check button[data-platform=wechatpay]");
        expect(await ask.textContent()).toBe(expected.platform.ask);
        await page.fill("#platform-order", "WXNOTPAY0001");
        await ask.click();
        await page.locator(".platform-verdict.none").waitFor();
        expect(await page.textContent(".platform-verdict strong")).toBe(expected.platform.notPaid);
        await page.fill("#platform-order", "WXPAID000001");
        await ask.click();
        await page.locator(".platform-verdict.ok").waitFor();
        expect(await page.textContent(".platform-verdict strong")).toBe(expected.platform.paid);
        expect(await page.textContent(".platform-verdict")).toContain("1,288.00");
        await shot(page, expected.lang, "platform-check", true);
        expect(wechatPay.seen.map((request) => request.url).slice(-2)).toEqual([
          `/v3/pay/transactions/out-trade-no/WXNOTPAY0001?mchid=${WECHAT_MCHID}`,
          `/v3/pay/transactions/out-trade-no/WXPAID000001?mchid=${WECHAT_MCHID}`,
        ]);

        // An order number "<script>…<i>x": its tail is text on the page, no element, no dialog.
        await page.fill("#amount", "66");
        await page.click("#lookup-form button[type=submit]");
        await page.locator(".verdict.ok").waitFor();
        const hostile = page.locator("#answer .payment");
        expect(await hostile.locator("dd", { hasText: "<i>x" }).textContent()).toBe("…<i>x");
        expect(await hostile.locator("i, script").count()).toBe(0);

        // Outstanding: the overdue payment with whom to call and the reference to quote; the arrived one.
        await page.click("#tab-outstanding");
        await page.locator("#outstanding .payment[data-status=OVERDUE]").waitFor();
        const overdue = page.locator("#outstanding .payment[data-status=OVERDUE]");
        expect(await overdue.locator(".badge").textContent()).toBe(expected.overdue);
        expect(await overdue.locator(".todo").textContent()).toMatch(expected.call);
        expect(await page.locator("#outstanding .payment[data-status=PENDING]").count()).toBe(2);
        // Settled by yesterday's file: on time or late, depending on the hour the test runs.
        const arrived = page.locator("#arrived .payment");
        expect(await arrived.count()).toBe(1);
        const arrivedStatus = (await arrived.getAttribute("data-status")) as "SETTLED" | "SETTLED_LATE";
        expect(await arrived.locator(".badge").textContent()).toBe(expected.arrived[arrivedStatus]);
        await shot(page, expected.lang, "outstanding", true);

        // The choice of language survives a reload; the session too (the cookie).
        await page.reload();
        await page.locator("#lookup-form").waitFor({ state: "visible" });
        expect(await page.getAttribute("html", "lang")).toBe(expected.lang);
        await page.click("#tab-outstanding");
        await page.locator("#outstanding .payment[data-status=OVERDUE]").waitFor();

        // CSP: an injected inline script does not run, and the page itself caused no violation.
        expect(violations).toEqual([]);
        const ran = await page.evaluate<boolean>(`(() => {
          const script = document.createElement("script");
          try {
            script.textContent = "window.injected = true";
            document.body.append(script);
          } catch {
            // Trusted Types refuse the string outright
          }
          return window.injected === true;
        })()`);
        expect(ran).toBe(false);
        expect(dialogs).toEqual([]);

        if (expected.lang === "zh-CN") {
          // Sign out: back to the sign-in form, and a reload stays there.
          await page.click("#sign-out");
          await page.locator("#phone").waitFor({ state: "visible" });
          await page.reload();
          await page.locator("#phone").waitFor({ state: "visible" });
          expect(await page.locator("#app").isHidden()).toBe(true);
        } else {
          // A session the server no longer accepts (cookie gone): the next question brings back sign-in.
          await context.clearCookies();
          await page.click("#tab-lookup");
          await page.fill("#amount", "128.50");
          await page.click("#lookup-form button[type=submit]");
          await page.locator("#phone").waitFor({ state: "visible" });
          expect(await page.textContent("#status")).toBe("Your session has ended. Please sign in again.");
        }
      } finally {
        await context.close();
      }
    });
  }
});
