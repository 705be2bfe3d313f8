import {
  checkSignInCode,
  formatSignInCode,
  isCodeShaped,
  normalizeMobileNumber,
  phoneHashOf,
  quotaHourOf,
  SIGN_IN_CODE,
  type SignInPolicy,
} from "../domain/merchant-page/sign-in-code.js";
import { type SmsRouting, smsProviderFor } from "../domain/notification/sms-providers.js";
import { renderSmsText, SIGN_IN_CODE_TEMPLATE } from "../domain/notification/sms-templates.js";
import type { Language } from "../domain/notification/templates.js";
import { UnauthorizedError, ValidationError } from "./errors.js";
import type {
  MerchantSession,
  RandomSource,
  SecretHasher,
  SignInStore,
  Wait,
} from "./merchant-page-ports.js";
import type { BusinessMetrics, Clock, MerchantRepository, NoticeSender } from "./ports.js";

export interface MerchantSignInDeps {
  signIn: SignInStore;
  merchants: MerchantRepository;
  sender: NoticeSender;
  hasher: SecretHasher;
  random: RandomSource;
  clock: Clock;
  wait: Wait;
  metrics: BusinessMetrics;
  policy: SignInPolicy;
  /** Which provider texts which numbers (the alerts' routing). Absent: SNS. */
  smsRouting?: SmsRouting | undefined;
  /** Every sign-in answer takes at least this long, so a known number is not told apart by time. */
  answerFloorMs: number;
  /** Logs without personal data (merchant ids and outcomes only). */
  log: (message: string, fields: Record<string, unknown>) => void;
}

/** The one answer to every refused code: it tells no number, code or lock state apart. */
const REFUSED = "the code is wrong, expired or used up: ask for a new code";

function phoneOf(body: unknown): string {
  const typed = (body as { phone?: unknown } | null)?.phone;
  const phone = typeof typed === "string" ? normalizeMobileNumber(typed) : undefined;
  if (!phone)
    throw new ValidationError([
      { field: "phone", message: "expected a mobile number, e.g. 13800138000 or +8613800138000" },
    ]);
  return phone;
}

/**
 * POST /m/api/sign-in: sends a code when the number belongs to a merchant and its hourly cap allows.
 * The same reads and writes happen for an unknown number (a code nobody receives is stored), and
 * every answer is held to the same floor, so neither the answer nor its time says which it was.
 */
export async function requestSignInCode(body: unknown, deps: MerchantSignInDeps): Promise<void> {
  const started = deps.clock.now().getTime();
  const phone = phoneOf(body);
  const phoneHash = phoneHashOf(phone);
  const now = deps.clock.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + SIGN_IN_CODE.lifetimeSeconds;
  const merchantId = await deps.signIn.merchantForPhone(phoneHash);
  const allowed = await deps.signIn.takeCodeQuota({
    phoneHash,
    hour: quotaHourOf(now),
    cap: deps.policy.codesPerHour,
    expiresAt: expiresAt + 2 * 3600,
  });
  if (allowed) {
    const code = formatSignInCode(deps.random.signInCodeNumber());
    const codeHash = deps.hasher.keyedHash("code", `${phoneHash}:${code}`);
    await deps.signIn.putCode(phoneHash, { merchantId: merchantId ?? "", codeHash, expiresAt, attempts: 0 });
    if (merchantId) await sendCode({ merchantId, phone, code }, deps);
  }
  deps.log("sign-in code requested", {
    merchantKnown: merchantId !== undefined,
    sent: allowed && !!merchantId,
  });
  const elapsed = deps.clock.now().getTime() - started;
  if (elapsed < deps.answerFloorMs) await deps.wait(deps.answerFloorMs - elapsed);
}

/** Texts the code through the alerts' provider for the number, in the merchant's language. */
async function sendCode(
  input: { merchantId: string; phone: string; code: string },
  deps: MerchantSignInDeps,
): Promise<void> {
  const profile = await deps.merchants.get(input.merchantId);
  const language: Language = profile?.contact.language ?? "zh-CN";
  const sms = { template: SIGN_IN_CODE_TEMPLATE, language, variables: { code: input.code } };
  const provider = (deps.smsRouting && smsProviderFor(input.phone, deps.smsRouting)) || "sns";
  try {
    await deps.sender.sendSms({
      phone: input.phone,
      text: renderSmsText(sms),
      noticeId: `signin-${deps.random.token().slice(0, 22)}`,
      sms,
      provider,
    });
  } catch (error) {
    // The answer stays 202 (a failure must not reveal that the number is registered).
    deps.metrics.count("NoticesFailed", 1);
    deps.log("sign-in code not sent", {
      merchantId: input.merchantId,
      provider,
      error: (error as Error).name,
    });
  }
}

/** POST /m/api/verify: the code, once, within 5 minutes and 5 tries; opens a session on the device. */
export async function verifySignInCode(
  body: unknown,
  deps: MerchantSignInDeps,
): Promise<{ sessionId: string; session: MerchantSession }> {
  const phone = phoneOf(body);
  const typed = (body as { code?: unknown }).code;
  const code = typeof typed === "string" ? typed.trim() : "";
  if (!isCodeShaped(code))
    throw new ValidationError([{ field: "code", message: "expected the 6 digits of the code" }]);
  const phoneHash = phoneHashOf(phone);
  const codeHash = deps.hasher.keyedHash("code", `${phoneHash}:${code}`);
  const stored = await deps.signIn.getCode(phoneHash);
  // Compared in constant time, against a stand-in when there is no code, so both take as long.
  const matches = deps.hasher.sameHash(stored?.codeHash ?? deps.hasher.hash(codeHash), codeHash);
  const now = deps.clock.now();
  const check = checkSignInCode(stored, matches, Math.floor(now.getTime() / 1000));
  if (check.outcome === "refused") {
    if (check.countAttempt && stored)
      await deps.signIn.countWrongTry(phoneHash, stored.codeHash, SIGN_IN_CODE.maxAttempts);
    deps.log("sign-in code refused", { reason: check.reason });
    throw new UnauthorizedError(REFUSED);
  }
  const used = await deps.signIn.useCode({
    phoneHash,
    codeHash,
    maxAttempts: SIGN_IN_CODE.maxAttempts,
    usedAt: now.toISOString(),
  });
  // A code for a number no merchant has (stored only to keep timing equal) never opens a session.
  if (!used || !stored?.merchantId) throw new UnauthorizedError(REFUSED);
  return await openSession(stored.merchantId, deps);
}

async function openSession(
  merchantId: string,
  deps: Pick<MerchantSignInDeps, "signIn" | "hasher" | "random" | "clock" | "policy" | "log">,
): Promise<{ sessionId: string; session: MerchantSession }> {
  const now = deps.clock.now();
  const sessionId = deps.random.token();
  const session: MerchantSession = {
    merchantId,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + deps.policy.sessionHours * 3600,
  };
  await deps.signIn.putSession(deps.hasher.hash(sessionId), session);
  deps.log("merchant signed in", { merchantId });
  return { sessionId, session };
}

/** The merchant of a session cookie's id; 401 when absent, unknown or expired. */
export async function merchantOfSession(
  sessionId: string | undefined,
  deps: Pick<MerchantSignInDeps, "signIn" | "hasher" | "clock">,
): Promise<string> {
  if (!sessionId || !/^[A-Za-z0-9_-]{20,100}$/.test(sessionId))
    throw new UnauthorizedError("sign in first: no session");
  const session = await deps.signIn.getSession(deps.hasher.hash(sessionId));
  if (!session || session.expiresAt <= Math.floor(deps.clock.now().getTime() / 1000))
    throw new UnauthorizedError("sign in again: the session has expired or was ended");
  return session.merchantId;
}

/** POST /m/api/sign-out: the session item is deleted (the cookie alone would be replayable). */
export async function signOut(
  sessionId: string | undefined,
  deps: Pick<MerchantSignInDeps, "signIn" | "hasher">,
): Promise<void> {
  if (sessionId && /^[A-Za-z0-9_-]{20,100}$/.test(sessionId))
    await deps.signIn.deleteSession(deps.hasher.hash(sessionId));
}
