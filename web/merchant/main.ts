import { ApiError, type LookupQuery, merchantApi, type OutstandingAnswer } from "./api.js";
import { formatAmount, formatClock, instantOfTime, parseAmount } from "./format.js";
import { applyLang, type Lang, rememberLang, storedLang, type TextKey, t } from "./i18n.js";
import { offerPlatformCheck } from "./platform-check.js";
import { lookupAnswer, paymentList } from "./render.js";

// The merchant page's controller: which section shows, what each form sends, what each answer shows.

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

const ui = {
  lang: byId<HTMLButtonElement>("lang"),
  signOut: byId<HTMLButtonElement>("sign-out"),
  status: byId("status"),
  signIn: byId("sign-in"),
  phoneForm: byId<HTMLFormElement>("phone-form"),
  phone: byId<HTMLInputElement>("phone"),
  codeForm: byId<HTMLFormElement>("code-form"),
  code: byId<HTMLInputElement>("code"),
  changePhone: byId<HTMLButtonElement>("change-phone"),
  app: byId("app"),
  tabLookup: byId<HTMLButtonElement>("tab-lookup"),
  tabOutstanding: byId<HTMLButtonElement>("tab-outstanding"),
  lookupView: byId("lookup-view"),
  lookupForm: byId<HTMLFormElement>("lookup-form"),
  currency: byId<HTMLSelectElement>("currency"),
  amount: byId<HTMLInputElement>("amount"),
  at: byId<HTMLInputElement>("at"),
  within: byId<HTMLSelectElement>("within"),
  order: byId<HTMLInputElement>("order"),
  answer: byId("answer"),
  outstandingView: byId("outstanding-view"),
  outstanding: byId("outstanding"),
  arrived: byId("arrived"),
};

let lang: Lang = storedLang();
/** Asks again for what is on screen, so a language switch redraws it (explanations come from the API). */
let redraw: (() => void) | undefined;

/** The status line's message, kept so a language switch says it again in the new language. */
let said: { key: TextKey | undefined; error: boolean } = { key: undefined, error: false };

function say(key: TextKey | undefined, error = false): void {
  said = { key, error };
  ui.status.textContent = key ? t(lang, key) : "";
  ui.status.classList.toggle("error", error);
}

function setLang(next: Lang): void {
  lang = next;
  applyLang(lang);
  ui.lang.textContent = t(lang, "switchTo");
  ui.lang.lang = lang === "en" ? "zh-CN" : "en";
  say(said.key, said.error);
  redraw?.();
}

// Whether this phone signed in, as a hint only (the session itself is the HttpOnly cookie the page
// cannot read): the page opens on the lookup at once, and the first 401 brings back the sign-in.
const SIGNED_IN_KEY = "settlewatch.signedIn";

function seemsSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) === "1";
  } catch {
    return false;
  }
}

function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_KEY, "1");
    else localStorage.removeItem(SIGNED_IN_KEY);
  } catch {
    // storage blocked: the page asks to sign in on every visit
  }
}

function showSignIn(message?: TextKey): void {
  rememberSignedIn(false);
  ui.app.hidden = true;
  ui.signOut.hidden = true;
  ui.signIn.hidden = false;
  ui.codeForm.hidden = true;
  ui.phoneForm.hidden = false;
  redraw = undefined;
  say(message, message === "sessionOver");
}

function showApp(view: "lookup" | "outstanding"): void {
  ui.signIn.hidden = true;
  ui.app.hidden = false;
  ui.signOut.hidden = false;
  ui.lookupView.hidden = view !== "lookup";
  ui.outstandingView.hidden = view !== "outstanding";
  ui.tabLookup.setAttribute("aria-pressed", String(view === "lookup"));
  ui.tabOutstanding.setAttribute("aria-pressed", String(view === "outstanding"));
}

/** A failed call: a lost session goes back to sign-in; anything else is said in one line. */
function failed(error: unknown, refusal: TextKey = "failed"): void {
  const status = error instanceof ApiError ? error.status : 0;
  if (status === 401 && !ui.app.hidden) showSignIn("sessionOver");
  else if (status === 429) say("tooMany", true);
  else say(status >= 400 && status < 500 ? refusal : "failed", true);
}

async function busy(form: HTMLFormElement, work: () => Promise<void>): Promise<void> {
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
  if (button) button.disabled = true;
  try {
    await work();
  } finally {
    if (button) button.disabled = false;
  }
}

function phoneSubmitted(event: SubmitEvent): void {
  event.preventDefault();
  const phone = ui.phone.value.trim();
  if (!phone) {
    say("badPhone", true);
    return;
  }
  void busy(ui.phoneForm, async () => {
    try {
      await merchantApi.signIn(phone);
      ui.phoneForm.hidden = true;
      ui.codeForm.hidden = false;
      ui.code.value = "";
      ui.code.focus();
      say("codeSent");
    } catch (error) {
      failed(error, "badPhone");
    }
  });
}

function codeSubmitted(event: SubmitEvent): void {
  event.preventDefault();
  const code = ui.code.value.trim();
  if (!/^\d{6}$/.test(code)) {
    say("badCode", true);
    return;
  }
  void busy(ui.codeForm, async () => {
    try {
      await merchantApi.verify(ui.phone.value.trim(), code);
      rememberSignedIn(true);
      say("signedIn");
      showApp("lookup");
      ui.amount.focus();
    } catch (error) {
      failed(error, "codeRefused");
    }
  });
}

interface Asked {
  query: LookupQuery;
  /** The minutes and time the answer's sentence names, as typed. */
  withinMinutes: number;
  at: Date | undefined;
}

function lookupQuery(): Asked | undefined {
  const currency = ui.currency.value;
  const amountMinor = parseAmount(ui.amount.value, currency);
  if (amountMinor === undefined) {
    say("badAmount", true);
    return undefined;
  }
  const order = ui.order.value.trim();
  if (order && !/^[0-9A-Za-z_-]{1,32}$/.test(order)) {
    say("badOrder", true);
    return undefined;
  }
  const at = ui.at.value ? instantOfTime(ui.at.value, new Date()) : undefined;
  const withinMinutes = Number(ui.within.value) || 30;
  const query: LookupQuery = { amountMinor, currency, withinMinutes };
  if (at) query.around = at;
  if (order) query.orderEndsWith = order;
  return { query, withinMinutes, at };
}

async function lookUp(asked: Asked): Promise<void> {
  try {
    const answer = await merchantApi.lookup(asked.query, lang);
    const { amountMinor, currency } = asked.query;
    const window = asked.at
      ? t(lang, "windowAround", { m: asked.withinMinutes, time: formatClock(asked.at, lang) })
      : t(lang, "windowLast", { m: asked.withinMinutes });
    ui.answer.replaceChildren(
      ...lookupAnswer(answer, lang, { amount: formatAmount(amountMinor, currency, lang), window }),
    );
    // The answer fills the phone's screen: the form scrolls away above it.
    ui.answer.scrollIntoView({ block: "start" });
    if (answer.verdict === "not-found") void offerPlatformCheck(ui.answer, lang);
    redraw = () => void lookUp(asked);
  } catch (error) {
    failed(error, "badAmount");
  }
}

function lookupSubmitted(event: SubmitEvent): void {
  event.preventDefault();
  const asked = lookupQuery();
  if (!asked) return;
  say(undefined);
  void busy(ui.lookupForm, () => lookUp(asked));
}

function drawOutstanding(answer: OutstandingAnswer): void {
  const open = [...answer.overdue, ...answer.pending];
  ui.outstanding.replaceChildren(...paymentList(open, lang, "noOutstanding"));
  ui.arrived.replaceChildren(...paymentList(answer.arrived, lang, "noArrived"));
}

async function openOutstanding(): Promise<void> {
  showApp("outstanding");
  say("loading");
  try {
    drawOutstanding(await merchantApi.outstanding(lang));
    redraw = () => void openOutstanding();
    say(undefined);
  } catch (error) {
    failed(error);
  }
}

async function signOut(): Promise<void> {
  try {
    await merchantApi.signOut();
  } catch {
    // the session is gone either way once the cookie is refused; show sign-in
  }
  ui.answer.replaceChildren();
  showSignIn("signedOut");
}

/** First paint: signed in already (the session cookie is still valid) or not. */
async function start(): Promise<void> {
  setLang(lang);
  ui.lang.addEventListener("click", () => {
    const next: Lang = lang === "zh-CN" ? "en" : "zh-CN";
    rememberLang(next);
    setLang(next);
  });
  ui.phoneForm.addEventListener("submit", phoneSubmitted);
  ui.codeForm.addEventListener("submit", codeSubmitted);
  ui.changePhone.addEventListener("click", () => showSignIn());
  ui.lookupForm.addEventListener("submit", lookupSubmitted);
  ui.tabLookup.addEventListener("click", () => {
    showApp("lookup");
    ui.answer.replaceChildren();
    redraw = undefined;
  });
  ui.tabOutstanding.addEventListener("click", () => void openOutstanding());
  ui.signOut.addEventListener("click", () => void signOut());
  // No request before the merchant asks something: the first load is the page's three files.
  if (seemsSignedIn()) showApp("lookup");
  else showSignIn();
}

void start();
