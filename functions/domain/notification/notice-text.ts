import type { Digest, DigestLine } from "./digest.js";
import { formatMoney } from "./money-text.js";
import type { SmsDelivery } from "./sms-providers.js";
import { type FittedSms, fitSmsDigest } from "./sms-segments.js";
import { shortenVariable, smsTemplateFor, type TemplatedSms, variableLength } from "./sms-templates.js";
import {
  DEFAULT_TEMPLATES,
  type Fragments,
  type Language,
  renderTemplate,
  selectPlural,
  type TemplateRegistry,
  templateVariables,
} from "./templates.js";
import { type LocalDate, type LocalDateTime, localDateTime } from "./wall-clock.js";

// A digest in words: every variable of the templates is built here from the template fragments,
// then the message templates are rendered. No text of its own.

/** How merchants reach an acquirer, for the "what to do next" line. */
export interface AcquirerContact {
  /** Display names per language; the acquirer id is used when absent. */
  names?: Partial<Record<Language, string>>;
  hotline?: string;
}

export interface NoticeTextOptions {
  templates?: TemplateRegistry;
  acquirers?: Readonly<Record<string, AcquirerContact>>;
  /** SMS part budget per language. Default 2 for each (a Chinese digest must fit in 2). */
  smsMaxSegments?: Partial<Record<Language, number>>;
  /** Most payments an SMS lists before fitting. Default 10. */
  smsMaxItems?: number;
  /** Most payments an email lists. Default 20. */
  emailMaxLines?: number;
  /** Text the SMS provider adds and bills (a registered signature). Default "". */
  providerSignature?: string;
  /** Longest value an SMS template variable may have (the provider's limit); longer ones are shortened. */
  smsMaxVariableLength?: number | undefined;
  /** Which provider texts which numbers, and their signatures and limits. Default: SNS, no signature. */
  smsDelivery?: SmsDelivery | undefined;
}

export interface NoticeText {
  sms: FittedSms & { template: TemplatedSms };
  email: { subject: string; body: string };
}

/**
 * Renders a digest in its merchant's language: the SMS (fitted to the part budget by listing
 * fewer payments, oldest kept, "and N more" for the rest) and the email (up to `emailMaxLines`
 * payments). Dates are in the digest's time zone; the year is shown only for dates outside the
 * merchant's current year at `now`.
 * @throws MissingTemplateVariableError when an overriding template names a variable not given.
 */
export function renderNotice(digest: Digest, now: Date, options: NoticeTextOptions = {}): NoticeText {
  const set = (options.templates ?? DEFAULT_TEMPLATES)[digest.language];
  const f = set.fragments;
  const messages = set[digest.kind];
  const thisYear = localDateTime(now.getTime(), digest.timeZone).year;
  const date = (value: LocalDate) => formatDate(value, thisYear, f);
  const dateTime = (value: LocalDateTime) =>
    renderTemplate(f.dateTime, { date: date(value), time: hhmm(value) });
  const amount = (line: DigestLine) => formatMoney(line.amountMinor, line.currency);

  const first = digest.lines[0];
  if (!first) throw new RangeError("a digest has at least one line");
  const base = {
    count: digest.count,
    total: digest.totals
      .map((total) => formatMoney(total.amountMinor, total.currency))
      .join(f.totalSeparator),
    merchantName: digest.merchantName,
    timeZone: digest.timeZone,
    reference: first.reference,
    confirmed: confirmedPhrase(digest.lines, date, f),
    due: duePhrase(digest.lines, dateTime, f),
    nextStep: nextStep(digest, options.acquirers ?? {}, f),
  };

  const smsForm = smsTemplateFor(messages.sms, digest.kind, digest.count);
  const limit = options.smsMaxVariableLength;
  const smsBase = Object.fromEntries(
    Object.entries(base).map(([name, value]) => [name, shortenVariable(String(value), limit)]),
  );
  const itemsText = (shown: number) => {
    if (shown === 0) return "";
    const list = digest.lines
      .slice(0, shown)
      .map((line) => renderTemplate(f.smsItem, { reference: line.reference, amount: amount(line) }))
      .join(f.listSeparator);
    const more = digest.count > shown ? renderTemplate(f.smsMore, { n: digest.count - shown }) : "";
    return renderTemplate(f.smsItems, { list, more });
  };
  // Items are whole or absent: with a variable limit, list only as many as fit in it.
  let smsItems = Math.min(digest.count, options.smsMaxItems ?? 10);
  while (limit !== undefined && smsItems > 0 && variableLength(itemsText(smsItems)) > limit) smsItems -= 1;
  const used = templateVariables(smsForm.text);
  const smsVariables = (shown: number): Record<string, string> => {
    const all: Record<string, string> = { ...smsBase, items: itemsText(shown) };
    return Object.fromEntries(
      used.filter((name) => Object.hasOwn(all, name)).map((name) => [name, all[name] ?? ""]),
    );
  };
  const fitted = fitSmsDigest((shown) => renderTemplate(smsForm.text, smsVariables(shown)).trim(), smsItems, {
    maxSegments: options.smsMaxSegments?.[digest.language] ?? 2,
    providerSignature: options.providerSignature ?? "",
  });
  const sms = {
    ...fitted,
    template: {
      template: smsForm.key,
      language: digest.language,
      variables: smsVariables(fitted.itemsShown),
    },
  };

  const emailLines = options.emailMaxLines ?? 20;
  const lines = digest.lines.slice(0, emailLines).map((line) =>
    renderTemplate(f.emailLine, {
      reference: line.reference,
      amount: amount(line),
      confirmed: date(line.confirmedOn),
      due: dateTime(line.dueAt),
      orderNote: line.orderId === undefined ? "" : renderTemplate(f.orderNote, { orderId: line.orderId }),
    }),
  );
  if (digest.count > emailLines) lines.push(renderTemplate(f.emailMore, { n: digest.count - emailLines }));
  const email = {
    subject: renderTemplate(selectPlural(messages.emailSubject, digest.count), base),
    body: renderTemplate(selectPlural(messages.emailBody, digest.count), {
      ...base,
      lines: lines.join("\n"),
    }),
  };
  return { sms, email };
}

/** A date in the language's format, with the year only when it is not `thisYear`. */
export function formatDate(date: LocalDate, thisYear: number, fragments: Fragments): string {
  const variables = {
    day: date.day,
    month: date.month,
    mon: fragments.months[date.month - 1] ?? String(date.month),
    year: date.year,
  };
  return renderTemplate(date.year === thisYear ? fragments.date : fragments.dateWithYear, variables);
}

function hhmm(value: LocalDateTime): string {
  return `${String(value.hour).padStart(2, "0")}:${String(value.minute).padStart(2, "0")}`;
}

/** "on 30 Sep" when every payment was confirmed that day, else "between 28 Sep and 30 Sep". */
function confirmedPhrase(
  lines: readonly DigestLine[],
  date: (value: LocalDate) => string,
  f: Fragments,
): string {
  const days = [...new Set(lines.map((line) => date(line.confirmedOn)))];
  const sorted = [...lines].sort((a, b) => Date.parse(a.confirmedAtUtc) - Date.parse(b.confirmedAtUtc));
  const earliest = sorted[0];
  const latest = sorted[sorted.length - 1];
  if (days.length <= 1 || !earliest || !latest) return renderTemplate(f.confirmedOn, { date: days[0] ?? "" });
  return renderTemplate(f.confirmedBetween, {
    first: date(earliest.confirmedOn),
    last: date(latest.confirmedOn),
  });
}

/** "8 Oct 18:00" when every payment was due then, else "from 8 Oct 18:00" (the earliest). */
function duePhrase(
  lines: readonly DigestLine[],
  dateTime: (value: LocalDateTime) => string,
  f: Fragments,
): string {
  const instants = lines.map((line) => Date.parse(line.expectedBy));
  const earliest = lines[instants.indexOf(Math.min(...instants))];
  if (!earliest) return "";
  const due = dateTime(earliest.dueAt);
  return renderTemplate(new Set(instants).size === 1 ? f.dueAt : f.dueFrom, { due });
}

/** Call the acquirer's hotline when every payment is with one acquirer that has one; else quote the ref. */
function nextStep(
  digest: Digest,
  acquirers: Readonly<Record<string, AcquirerContact>>,
  f: Fragments,
): string {
  const [only, ...others] = digest.acquirers;
  const contact = only !== undefined && Object.hasOwn(acquirers, only) ? acquirers[only] : undefined;
  if (only === undefined || others.length > 0 || contact?.hotline === undefined) {
    return renderTemplate(f.nextStepQuote, {});
  }
  const name = contact.names?.[digest.language] ?? contact.names?.en ?? only;
  return renderTemplate(f.nextStepHotline, { acquirer: name, hotline: contact.hotline });
}
