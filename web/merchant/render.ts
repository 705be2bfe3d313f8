import type { LookupAnswer, PaymentMatch } from "./api.js";
import { formatAmount, wallClock } from "./format.js";
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

/** A status or channel in the page's language; a value the page does not know is shown as sent. */
function label(lang: Lang, prefix: "status_" | "channel_", value: string): string {
  const key = knownKey(`${prefix}${value}`) ?? knownKey(`${prefix}${value.toLowerCase()}`);
  return key ? t(lang, key) : value;
}

function details(rows: Array<[string, string | null | undefined]>): HTMLDListElement {
  const list = el("dl");
  for (const row of rows) {
    const value = row[1];
    if (value === undefined || value === null || value === "") continue;
    list.append(el("dt", undefined, row[0]), el("dd", undefined, value));
  }
  return list;
}

/** The confirmation time on the merchant's wall clock, as the API computed it, with the zone. */
function confirmedTime(match: PaymentMatch): string {
  const local = match.confirmedAtLocal ?? wallClock(match.confirmedAt, match.timeZone);
  return match.timeZone ? `${local} (${match.timeZone})` : local;
}

/** One payment: amount and status on top, then time, channel, reference, order, arrival and why. */
export function paymentCard(match: PaymentMatch, lang: Lang, mode: "lookup" | "outstanding"): HTMLElement {
  const card = el("article", `payment ${statusClass(match.status)}`);
  card.dataset.status = match.status;
  const top = el("div", "top");
  top.append(
    el("span", "amount", formatAmount(match.amountMinor, match.currency, lang)),
    el("span", "badge", label(lang, "status_", match.status)),
  );
  const arrived = ARRIVED.has(match.status);
  card.append(
    top,
    details([
      [t(lang, "time"), confirmedTime(match)],
      [t(lang, "channel"), match.channel ? label(lang, "channel_", match.channel) : undefined],
      [t(lang, "reference"), match.paymentId],
      [t(lang, "order"), match.orderTail ? `…${match.orderTail}` : undefined],
      [
        t(lang, mode === "outstanding" && !arrived ? "dueBy" : "expectedBy"),
        match.expectedBy ? wallClock(match.expectedBy, match.timeZone) : undefined,
      ],
    ]),
  );
  if (match.explanation) card.append(el("p", "explain", match.explanation));
  if (mode === "outstanding" && match.whatToDo && TROUBLE.has(match.status)) {
    card.append(el("p", "todo", match.whatToDo));
  }
  return card;
}

/** The one-screen answer: confirmed payments, or in large type that there is none. */
export function lookupAnswer(
  answer: LookupAnswer,
  lang: Lang,
  asked: { amount: string; window: string },
): HTMLElement[] {
  const cards = answer.matches.map((match) => paymentCard(match, lang, "lookup"));
  if (answer.verdict === "confirmed") {
    const verdict = el("div", "verdict ok");
    verdict.append(
      el("strong", undefined, t(lang, "confirmedTitle")),
      el("p", undefined, t(lang, "confirmedCount", { n: answer.matches.length })),
    );
    return [verdict, ...cards];
  }
  // Not found, or found only reversed / refunded: no money is on its way for this amount.
  const verdict = el("div", "verdict none");
  verdict.setAttribute("role", "alert");
  verdict.append(
    el("strong", undefined, t(lang, "noneTitle")),
    el("p", undefined, t(lang, "noneBody", { amount: asked.amount, window: asked.window })),
    el("p", undefined, t(lang, "noneAdvice")),
  );
  return [verdict, ...cards];
}

/** A list of payment cards, or one line saying it is empty. */
export function paymentList(matches: PaymentMatch[], lang: Lang, empty: "noOutstanding" | "noArrived") {
  if (matches.length === 0) return [el("p", "empty", t(lang, empty))];
  return matches.map((match) => paymentCard(match, lang, "outstanding"));
}
