import type { LookupAnswer, PaymentMatch } from "./api.js";
import { formatAmount, formatInstant } from "./format.js";
import { knownKey, type Lang, t } from "./i18n.js";

// Every value from the API goes into the page as text (textContent), never as HTML: an order
// number "<script>…" is shown as those characters.

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

const ARRIVED = new Set(["SETTLED", "SETTLED_LATE"]);
const TROUBLE = new Set(["OVERDUE", "MISMATCH", "REVERSED", "REFUNDED"]);

function statusClass(status: string): string {
  if (ARRIVED.has(status)) return "s-ok";
  return TROUBLE.has(status) ? "s-bad" : "s-wait";
}

export function isArrived(match: PaymentMatch): boolean {
  return ARRIVED.has(match.status);
}

/** A status or channel in the page's language; a value the page does not know is shown as sent. */
function label(lang: Lang, prefix: "status_" | "channel_", value: string): string {
  const key = knownKey(`${prefix}${value}`) ?? knownKey(`${prefix}${value.toLowerCase()}`);
  return key ? t(lang, key) : value;
}

/** A payment id as shown: its start and end, enough to tell it apart and to match a receipt. */
export function maskReference(id: string): string {
  return id.length <= 8 ? id : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

function details(lang: Lang, rows: Array<[string, string | null | undefined]>): HTMLDListElement {
  const list = el("dl");
  for (const [name, value] of rows) {
    if (value === undefined || value === null || value === "") continue;
    list.append(el("dt", undefined, name), el("dd", undefined, value));
  }
  list.lang = lang;
  return list;
}

/** One payment: amount and status on top, then time, channel, reference, order, arrival and why. */
export function paymentCard(match: PaymentMatch, lang: Lang, mode: "lookup" | "outstanding"): HTMLElement {
  const card = el("article", `payment ${statusClass(match.status)}`);
  const top = el("div", "top");
  top.append(
    el("span", "amount", formatAmount(match.amountMinor, match.currency, lang)),
    el("span", "badge", label(lang, "status_", match.status)),
  );
  const reference = match.reference ?? maskReference(match.paymentId);
  const expected = match.expectedBy ? formatInstant(match.expectedBy, lang, match.timeZone) : undefined;
  card.append(
    top,
    details(lang, [
      [t(lang, "time"), formatInstant(match.confirmedAt, lang, match.timeZone)],
      [t(lang, "channel"), match.channel ? label(lang, "channel_", match.channel) : undefined],
      [t(lang, "reference"), reference],
      [t(lang, "order"), match.orderId],
      [t(lang, mode === "outstanding" && !isArrived(match) ? "dueBy" : "expectedBy"), expected],
      [
        t(lang, "call"),
        mode === "outstanding" && !isArrived(match) ? (match.contact ?? match.acquirer) : undefined,
      ],
    ]),
  );
  if (match.explanation) card.append(el("p", "explain", match.explanation));
  if (mode === "outstanding" && match.status === "OVERDUE") {
    const who = match.contact ?? match.acquirer ?? "";
    card.append(el("p", "todo", t(lang, "overdueTodo", { who, ref: match.reference ?? match.paymentId })));
  }
  return card;
}

/** The one-screen answer: confirmed payments, or in large type that there is none. */
export function lookupAnswer(
  answer: LookupAnswer,
  lang: Lang,
  asked: { amount: string; window: string },
): HTMLElement[] {
  if (answer.verdict === "confirmed" && answer.matches.length > 0) {
    const verdict = el("div", "verdict ok");
    verdict.append(
      el("strong", undefined, t(lang, "confirmedTitle")),
      el("p", undefined, t(lang, "confirmedCount", { n: answer.matches.length })),
    );
    return [verdict, ...answer.matches.map((match) => paymentCard(match, lang, "lookup"))];
  }
  const verdict = el("div", "verdict none");
  verdict.setAttribute("role", "alert");
  verdict.append(
    el("strong", undefined, t(lang, "noneTitle")),
    el("p", undefined, t(lang, "noneBody", { amount: asked.amount, window: asked.window })),
    el("p", undefined, t(lang, "noneAdvice")),
  );
  return [verdict];
}

/** A list of payment cards, or one line saying it is empty. */
export function paymentList(matches: PaymentMatch[], lang: Lang, empty: "noOutstanding" | "noArrived") {
  if (matches.length === 0) return [el("p", "empty", t(lang, empty))];
  return matches.map((match) => paymentCard(match, lang, "outstanding"));
}
