import { merchantApi, type PlatformCheckAnswer } from "./api.js";
import { formatAmount } from "./format.js";
import { type Lang, type TextKey, t } from "./i18n.js";

// "Not confirmed to settlewatch yet": optionally ask WeChat Pay / Alipay about the full order number
// (only where the acquirer switched the platform on for this merchant). Values go in as text only.

const NAME_KEY: Record<string, TextKey> = { wechatpay: "channel_wechat", alipay: "channel_alipay" };
const ORDER_NO = /^[A-Za-z0-9_|*-]{1,64}$/;

/** The platforms this merchant may ask, fetched once per page load and only after a lookup found nothing. */
let platforms: Promise<string[]> | undefined;

function node<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string) {
  const element = document.createElement(tag);
  element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

const nameOf = (lang: Lang, platform: string) =>
  NAME_KEY[platform] ? t(lang, NAME_KEY[platform]) : platform;

function verdictBox(answer: PlatformCheckAnswer, lang: Lang): HTMLElement {
  const platform = nameOf(lang, answer.platform);
  const values = { platform, order: answer.orderNo, state: answer.state ?? "" };
  const paid = answer.verdict === "paid";
  const box = node("div", `verdict ${paid ? "ok" : "none"} platform-verdict`);
  box.setAttribute("role", "status");
  const title: TextKey = paid
    ? "platformPaid"
    : answer.verdict === "not-paid"
      ? "platformNotPaid"
      : "platformUnknown";
  let body: string;
  if (paid) {
    const amount =
      answer.amountMinor !== null && answer.currency
        ? formatAmount(answer.amountMinor, answer.currency, lang)
        : "";
    body = t(lang, "platformPaidBody", { ...values, amount });
  } else if (answer.verdict === "not-paid")
    body = t(lang, answer.reason === "no-such-order" ? "platformNoOrder" : "platformNotPaidBody", values);
  else body = t(lang, "platformUnknownBody");
  box.append(node("strong", "", t(lang, title, values)), node("p", "", body));
  return box;
}

/** Adds "check with WeChat Pay / Alipay" under a not-found answer, when this merchant can ask one. */
export async function offerPlatformCheck(into: HTMLElement, lang: Lang): Promise<void> {
  platforms ??= merchantApi.platforms().then(
    (answer) => answer.platforms,
    () => [],
  );
  const available = await platforms;
  if (available.length === 0) return;
  const form = node("form", "card platform-check");
  form.noValidate = true;
  const input = node("input", "");
  input.id = "platform-order";
  input.autocomplete = "off";
  input.maxLength = 64;
  const label = node("label", "", t(lang, "platformOrderLabel"));
  label.htmlFor = input.id;
  const result = node("div", "");
  result.setAttribute("aria-live", "polite");
  form.append(node("p", "hint", t(lang, "platformAsk")), label, input);
  for (const platform of available) {
    const button = node("button", "", t(lang, "platformCheckWith", { platform: nameOf(lang, platform) }));
    button.type = "button";
    button.dataset.platform = platform;
    button.addEventListener("click", () => void ask(platform, input.value.trim(), result, lang));
    form.append(button);
  }
  form.append(result);
  into.append(form);
}

async function ask(platform: string, orderNo: string, result: HTMLElement, lang: Lang): Promise<void> {
  if (!ORDER_NO.test(orderNo)) {
    result.replaceChildren(node("p", "error", t(lang, "badOrderNo")));
    return;
  }
  result.replaceChildren(node("p", "hint", t(lang, "loading")));
  try {
    result.replaceChildren(verdictBox(await merchantApi.platformCheck(platform, orderNo), lang));
  } catch {
    result.replaceChildren(node("p", "error", t(lang, "failed")));
  }
}
