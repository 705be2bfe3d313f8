import pMap from "p-map";
import { arrivalFieldsOf } from "../domain/arrival/calendar-hold.js";
import {
  computeExpectedArrival,
  ExpectedArrivalInputError,
  parseConfirmedAt,
} from "../domain/arrival/expected-arrival.js";
import {
  acquirerIdSchema,
  type Confirmation,
  type FieldError,
  validateConfirmation,
} from "../domain/confirmation/confirmation.js";
import { verifyWebhookSignature } from "../domain/confirmation/webhook-signature.js";
import { matchPendingLinesForConfirmation, type StoredLine } from "../domain/matching/pending-lines.js";
import {
  applyHeldReversals,
  decideReversal,
  type ReversalClaim,
  type ReversalDecision,
  reversalClaimOf,
} from "../domain/matching/reversal-confirmations.js";
import type { DefaultMerchantTerms, MerchantProfile } from "../domain/merchant/merchant-profile.js";
import {
  confirmationFingerprint,
  type ExpectedArrivalFields,
  type Payment,
} from "../domain/payment/payment.js";
import type { InputLimits } from "../domain/validation/input-limits.js";
import { InvalidJsonError, InvalidRequestError, PayloadTooLargeError, UnauthorizedError } from "./errors.js";
import type {
  BusinessMetrics,
  CalendarProvider,
  Clock,
  MerchantRepository,
  PaymentRepository,
  WebhookSecretStore,
} from "./ports.js";
import type { SettlementStore } from "./settlement-ports.js";

/** The largest batch one request may carry. */
export const MAX_BATCH_SIZE = 500;
/** 1 MiB: a full batch of 500 realistic confirmations is about 200 KB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** A reversal whose original keeps moving under it is decided again this many times at most. */
const MAX_REVERSAL_ATTEMPTS = 4;
/** Parallel conditional writes per request: enough to hide latency, few enough not to throttle a table. */
const WRITE_CONCURRENCY = 16;

export interface IngestConfirmationsDeps {
  payments: PaymentRepository;
  /** Matches settlement lines that arrived before their confirmation; absent = lines stay kept. */
  settlement?: SettlementStore | undefined;
  merchants: MerchantRepository;
  secrets: WebhookSecretStore;
  calendars: CalendarProvider;
  clock: Clock;
  metrics: BusinessMetrics;
  defaultTerms: DefaultMerchantTerms;
  /** Plausible dates and amount bounds; absent = the defaults (2000-01-01, 10^12 minor units). */
  inputLimits?: InputLimits | undefined;
}

export interface WebhookRequest {
  rawBody: string;
  signatureHeader: string | undefined;
}

export type ConfirmationOutcome =
  | {
      status: "accepted" | "duplicate";
      index: number;
      acquirer: string;
      paymentId: string;
      paymentStatus: Payment["status"];
      merchantRegistered: boolean;
      expectedBy: string | null;
      overdueAt: string | null;
      explanation: string;
      /** What reversals did to the payment: its own (a reversal), or those that waited for it. */
      reversals?: ReversalEffect[];
    }
  | { status: "conflict"; index: number; acquirer: string; paymentId: string; message: string }
  | {
      status: "rejected";
      index: number;
      acquirer: string | null;
      paymentId: string | null;
      errors: FieldError[];
    };

/** One reversal's effect on its original payment, as the answer reports it. */
export type ReversalEffect = Pick<
  ReversalDecision,
  "reversalId" | "originalPaymentId" | "outcome" | "reasonCode" | "reason"
>;

export interface IngestConfirmationsResult {
  /** True when the body was a `{"confirmations": [...]}` batch. */
  batch: boolean;
  results: ConfirmationOutcome[];
}

/**
 * Verifies, validates and stores signed payment confirmations. Idempotent per (acquirer, paymentId):
 * the same content again is a duplicate, different content a conflict, and the stored one never changes.
 */
export async function ingestConfirmations(
  request: WebhookRequest,
  deps: IngestConfirmationsDeps,
): Promise<IngestConfirmationsResult> {
  if (Buffer.byteLength(request.rawBody, "utf8") > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const now = deps.clock.now();
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody);
  } catch (error) {
    throw new InvalidJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
  const { items, batch } = unwrapBatch(body);
  const acquirer = signingAcquirer(items);

  const secrets = await deps.secrets.secretsFor(acquirer);
  const check = verifyWebhookSignature({
    header: request.signatureHeader,
    rawBody: request.rawBody,
    secrets,
    nowSeconds: Math.floor(now.getTime() / 1000),
  });
  if (!check.ok) {
    deps.metrics.count("RequestsRejected", 1, acquirer);
    // An unknown acquirer looks like a bad signature from outside, so nobody can probe for names.
    throw new UnauthorizedError(check.message);
  }

  const results = await storeConfirmations(items, deps, acquirer);
  return { batch, results };
}

/**
 * Validates and stores confirmations whose origin is already trusted (a verified webhook, or an
 * operator's simulation). Each item is accepted, a duplicate, a conflict or rejected on its own.
 * Every item is validated and its payment built before the first write, so bad input can never
 * stop a request half way through its writes.
 */
export async function storeConfirmations(
  items: readonly unknown[],
  deps: Omit<IngestConfirmationsDeps, "secrets">,
  acquirer?: string,
): Promise<ConfirmationOutcome[]> {
  const now = deps.clock.now();
  const profiles = new Map<string, Promise<MerchantProfile | undefined>>();
  const profileOf = (merchantId: string) => {
    let profile = profiles.get(merchantId);
    if (!profile) {
      profile = deps.merchants.get(merchantId);
      profiles.set(merchantId, profile);
    }
    return profile;
  };

  const context: PrepareContext = { now, profileOf, deps };
  const prepared = await pMap(items.entries(), ([index, item]) => prepareOne({ index, item }, context), {
    concurrency: WRITE_CONCURRENCY,
  });
  const results = await pMap(prepared, (item) => ("outcome" in item ? item.outcome : storeOne(item, deps)), {
    concurrency: WRITE_CONCURRENCY,
  });
  const metric = {
    accepted: "ConfirmationsAccepted",
    duplicate: "ConfirmationsDuplicate",
    conflict: "ConfirmationsConflict",
    rejected: "ConfirmationsRejected",
  } as const;
  for (const result of results)
    deps.metrics.count(metric[result.status], 1, acquirer ?? result.acquirer ?? undefined);
  return results;
}

function unwrapBatch(body: unknown): { items: unknown[]; batch: boolean } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('body must be one confirmation object or {"confirmations": [...]}');
  }
  if (!("confirmations" in body)) return { items: [body], batch: false };
  const { confirmations, ...rest } = body as { confirmations: unknown };
  if (Object.keys(rest).length > 0) {
    throw new InvalidRequestError(
      `a batch has only "confirmations"; unknown field(s): ${Object.keys(rest).join(", ")}`,
    );
  }
  if (!Array.isArray(confirmations)) throw new InvalidRequestError('"confirmations" must be an array');
  if (confirmations.length === 0) throw new InvalidRequestError('"confirmations" is empty');
  if (confirmations.length > MAX_BATCH_SIZE) {
    throw new InvalidRequestError(
      `"confirmations" has ${confirmations.length} items; at most ${MAX_BATCH_SIZE}`,
    );
  }
  return { items: confirmations, batch: true };
}

/** A request is signed by one acquirer; every item must name it, so the secret to check is known. */
function signingAcquirer(items: unknown[]): string {
  const names = new Set<string>();
  for (const item of items) {
    const name =
      typeof item === "object" && item !== null ? (item as { acquirer?: unknown }).acquirer : undefined;
    if (typeof name === "string" && acquirerIdSchema.safeParse(name).success) names.add(name);
  }
  if (names.size === 0) {
    throw new InvalidRequestError("no valid acquirer in the body: cannot tell whose signature to check", [
      { field: "acquirer", message: "expected 1-32 characters: lower-case letters, digits or '-'" },
    ]);
  }
  if (names.size > 1) {
    throw new InvalidRequestError(
      `a request is signed by one acquirer; this one names ${[...names].join(", ")}`,
    );
  }
  return [...names][0] as string;
}

/** A valid item with its payment built, ready to write; or its final outcome (rejected). */
type PreparedItem =
  | { index: number; payment: Payment; profile: MerchantProfile | undefined }
  | { outcome: ConfirmationOutcome };

/** What every item of one request is prepared with: one instant, one profile cache, the ports. */
interface PrepareContext {
  now: Date;
  profileOf: (merchantId: string) => Promise<MerchantProfile | undefined>;
  deps: Omit<IngestConfirmationsDeps, "secrets">;
}

async function prepareOne(
  { index, item }: { index: number; item: unknown },
  { now, profileOf, deps }: PrepareContext,
): Promise<PreparedItem> {
  const validated = validateConfirmation(item, now, deps.inputLimits);
  if (!validated.ok) return { outcome: rejectedOutcome(index, item, validated.errors) };
  const confirmation = validated.value;
  const profile = await profileOf(confirmation.merchantId);
  try {
    return { index, payment: await buildPayment({ confirmation, profile, now }, deps), profile };
  } catch (error) {
    // The domain names the input it could not use; anything else is a fault of ours (a 500).
    if (!(error instanceof ExpectedArrivalInputError)) throw error;
    const field = error.field.startsWith("terms.")
      ? `merchant ${confirmation.merchantId} ${error.field}`
      : error.field;
    return { outcome: rejectedOutcome(index, item, [{ field, message: error.message }]) };
  }
}

function rejectedOutcome(index: number, item: unknown, errors: FieldError[]): ConfirmationOutcome {
  const loose = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
  return {
    status: "rejected",
    index,
    acquirer: typeof loose.acquirer === "string" ? loose.acquirer : null,
    paymentId: typeof loose.paymentId === "string" ? loose.paymentId : null,
    errors,
  };
}

async function storeOne(
  { index, payment, profile }: { index: number; payment: Payment; profile: MerchantProfile | undefined },
  deps: Omit<IngestConfirmationsDeps, "secrets">,
): Promise<ConfirmationOutcome> {
  const claim = reversalClaimOf(payment);
  const stored = await deps.payments.insert(
    payment,
    (arrived, held) => applyHeldReversals(arrived, held).payment,
  );
  if (stored.outcome === "created") {
    const reversals = stored.heldReversals ? applyHeldReversals(payment, stored.heldReversals).decisions : [];
    // A reversal is stored first, then applied: a crash in between is mended by the acquirer's retry.
    if (claim) reversals.push(await applyReversal(claim, deps.payments));
    if (stored.pendingLines?.length && deps.settlement) {
      await settleEarlyLines({
        payment: stored.stored,
        lines: stored.pendingLines,
        store: deps.settlement,
        profile,
      });
    }
    if (!payment.merchantRegistered)
      deps.metrics.count("UnregisteredMerchantConfirmations", 1, payment.acquirer);
    if (payment.arrival?.calendarCoverage === "weekends-only")
      deps.metrics.count("CalendarNotCovered", 1, payment.acquirer);
    return outcomeOf({ status: "accepted", index, payment: stored.stored, decisions: reversals });
  }
  if (stored.existing.fingerprint === payment.fingerprint) {
    // A re-delivered reversal is decided again: a replay if it was applied, applied if it was not.
    const reversals = claim ? [await applyReversal(claim, deps.payments)] : [];
    return outcomeOf({ status: "duplicate", index, payment: stored.existing, decisions: reversals });
  }
  return {
    status: "conflict",
    index,
    acquirer: payment.acquirer,
    paymentId: payment.paymentId,
    message: `payment ${payment.acquirer}/${payment.paymentId} was already confirmed with different content; the stored confirmation is unchanged`,
  };
}

async function buildPayment(
  {
    confirmation,
    profile,
    now,
  }: { confirmation: Confirmation; profile: MerchantProfile | undefined; now: Date },
  deps: Pick<IngestConfirmationsDeps, "calendars" | "defaultTerms">,
): Promise<Payment> {
  const terms = profile ?? deps.defaultTerms;
  let arrival: ExpectedArrivalFields | undefined;
  if (confirmation.kind === "payment") {
    const calendar = await deps.calendars.calendarFor(terms.calendar);
    const computed = computeExpectedArrival({
      confirmedAt: confirmation.confirmedAt,
      timeZone: terms.timeZone,
      terms: terms.settlement,
      calendar,
    });
    arrival = arrivalFieldsOf(
      computed,
      calendar.region,
      profile
        ? undefined
        : `merchant ${confirmation.merchantId} has no profile: deployment default terms used, nobody can be notified`,
    );
  }
  const { kind, ...fields } = confirmation;
  return {
    ...fields,
    kind,
    confirmedAtUtc: new Date(parseConfirmedAt(confirmation.confirmedAt)).toISOString(),
    status: kind === "payment" ? "PENDING" : "RECORDED",
    merchantRegistered: profile !== undefined,
    ...(arrival ? { arrival } : {}),
    fingerprint: confirmationFingerprint(confirmation),
    receivedAt: now.toISOString(),
  };
}

function outcomeOf({
  status,
  index,
  payment,
  decisions,
}: {
  status: "accepted" | "duplicate";
  index: number;
  payment: Payment;
  decisions: readonly ReversalDecision[];
}): ConfirmationOutcome {
  const reversals = decisions.map(({ reversalId, originalPaymentId, outcome, reasonCode, reason }) => ({
    reversalId,
    originalPaymentId,
    outcome,
    reasonCode,
    reason,
  }));
  return {
    status,
    index,
    acquirer: payment.acquirer,
    paymentId: payment.paymentId,
    paymentStatus: payment.status,
    merchantRegistered: payment.merchantRegistered,
    expectedBy: payment.arrival?.expectedBy ?? null,
    overdueAt: payment.arrival?.overdueAt ?? null,
    explanation: payment.arrival?.explanation ?? describeNonPayment(payment, decisions),
    ...(reversals.length > 0 ? { reversals } : {}),
  };
}

function describeNonPayment(payment: Payment, decisions: readonly ReversalDecision[]): string {
  const [own] = decisions;
  if (payment.kind === "reversal" && own)
    return `reversal of payment ${own.originalPaymentId}: ${own.reason}`;
  return `refund of payment ${payment.originalPaymentId ?? "?"}: recorded; the sale is not changed (a settled sale stays settled) and the refund is expected as a debit in a later settlement file, where it is matched to the sale`;
}

/**
 * Decides a reversal on a fresh read of its original and applies it in one conditional write; when
 * the original moved meanwhile (or arrived while the reversal was being held), decides again.
 */
async function applyReversal(claim: ReversalClaim, payments: PaymentRepository): Promise<ReversalDecision> {
  for (let attempt = 1; attempt <= MAX_REVERSAL_ATTEMPTS; attempt += 1) {
    const original = await payments.get(claim.acquirer, claim.originalPaymentId);
    const decision = decideReversal(claim, original);
    if (decision.update) {
      if (await payments.applyReversal(decision.update)) return decision;
      continue;
    }
    if (decision.outcome === "waiting" && (await payments.holdReversal(claim)) === "original-exists")
      continue;
    return decision;
  }
  throw new Error(
    `reversal ${claim.acquirer}/${claim.paymentId}: payment ${claim.originalPaymentId} kept moving while it was reversed`,
  );
}

/**
 * Lines of a settlement file that came before this confirmation waited on its key; decide them
 * now with the same ladder. A write whose condition fails was decided by someone else meanwhile.
 */
async function settleEarlyLines({
  payment,
  lines,
  store,
  profile,
}: {
  payment: Payment;
  lines: StoredLine[];
  store: SettlementStore;
  profile: MerchantProfile | undefined;
}): Promise<void> {
  const lookup = await store.lookupFor([]);
  const matches = await matchPendingLinesForConfirmation(payment, lines, lookup, {
    terms: {
      feeRate: profile?.settlement.feeRate ?? null,
      // A line that waited for its confirmation settles it as an acquirer-file line even for a
      // bank-credit merchant: tying it to its payout batch here is not done yet (see docs/settlement-files.md, leg 2).
      arrivalMode: "acquirer-file",
    },
  });
  for (const { decision } of matches) {
    if (decision.update) await store.applyUpdate(decision.update);
  }
}
