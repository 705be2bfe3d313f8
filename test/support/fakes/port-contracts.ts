import { beforeAll, describe, expect, it } from "vitest";
import type {
  ReversalClaim,
  ReversalUpdate,
} from "../../../functions/domain/matching/reversal-confirmations.js";
import type { Payment } from "../../../functions/domain/payment/payment.js";
import type {
  FileDayLedger,
  MerchantRepository,
  NoticeRecord,
  NoticeStore,
  PaymentRepository,
} from "../../../functions/use-cases/ports.js";
import { merchant, payment } from "../../unit/notification/fixtures.js";
import { dueListContract, type PaymentTablePorts } from "./due-list-contracts.js";

/**
 * One behaviour suite per port, run against the in-memory fake (test/unit/fakes, the unit tier) and
 * against the DynamoDB adapter on DynamoDB Local (test/integration/port-contracts.test.ts): a fake
 * that drifts from the adapter fails here. Each `make` gives a store shared by one port's cases
 * (one DynamoDB table, not one per case): every case works in its own namespace of ids.
 */
export interface PortMakers {
  payments: () => Promise<PaymentRepository>;
  merchants: () => Promise<MerchantRepository>;
  notices: () => Promise<NoticeStore>;
  fileDays: () => Promise<FileDayLedger>;
  /** The payments, merchants, overdue and calendar-hold ports over one table (see due-list-contracts.ts). */
  paymentTable: () => Promise<PaymentTablePorts>;
}

let namespaces = 0;
/** A prefix no other case of the run uses, so cases sharing a store never see each other's items. */
function namespace(): string {
  namespaces += 1;
  return `c${namespaces}`;
}

/** One store per port's describe block, made before its first case. */
function shared<T>(make: () => Promise<T>): () => T {
  let store: T | undefined;
  beforeAll(async () => {
    store = await make();
  });
  return () => {
    if (store === undefined) throw new Error("the store is made in beforeAll");
    return store;
  };
}

export function portContracts(name: string, make: PortMakers): void {
  describe(`${name}: PaymentRepository`, () => paymentRepositoryContract(make.payments));
  describe(`${name}: MerchantRepository`, () => merchantRepositoryContract(make.merchants));
  describe(`${name}: NoticeStore`, () => noticeStoreContract(make.notices));
  describe(`${name}: FileDayLedger`, () => fileDayLedgerContract(make.fileDays));
  describe(`${name}: OverdueStore and CalendarHoldStore over the payments`, () => {
    const ports = shared(make.paymentTable);
    dueListContract(() => ({ ports: ports(), ns: namespace() }));
  });
}

/** A PENDING sale of `ns-wechatpay`; other acquirers are named in the namespace too. */
const saleIn =
  (ns: string) =>
  (overrides: Partial<Payment> = {}) =>
    payment({
      noticeHistory: undefined,
      ...overrides,
      acquirer: `${ns}-${overrides.acquirer ?? "wechatpay"}`,
    });

function reversalOf(original: Payment, paymentId: string, amountMinor: number): ReversalClaim {
  return {
    acquirer: original.acquirer,
    paymentId,
    merchantId: original.merchantId,
    amountMinor,
    currency: original.currency,
    originalPaymentId: original.paymentId,
  };
}

function fullReversal(original: Payment, reversalId: string): ReversalUpdate {
  return {
    payment: { acquirer: original.acquirer, paymentId: original.paymentId, merchantId: original.merchantId },
    currency: original.currency,
    confirmedAtUtc: original.confirmedAtUtc,
    reversalId,
    condition: { status: "PENDING", amountMinor: original.amountMinor },
    status: "REVERSED",
    amountMinor: 0,
    reversedMinor: original.amountMinor,
    leaveDueIndex: true,
  };
}

function paymentRepositoryContract(make: () => Promise<PaymentRepository>): void {
  const store = shared(make);
  /** The shared repository and a sale builder in this case's namespace. */
  const fresh = () => ({ repo: store(), sale: saleIn(namespace()) });

  it("stores a new payment once and reads it back as it was stored", async () => {
    const { repo, sale } = fresh();
    const first = sale({ reversalIds: undefined });
    expect(await repo.insert(first)).toEqual({ outcome: "created", stored: first });
    expect(await repo.get(first.acquirer, first.paymentId)).toEqual(first);
    expect(await repo.get(first.acquirer, "no-such-payment")).toBeUndefined();
  });

  it("answers a second insert of the same key with the stored payment, unchanged", async () => {
    const { repo, sale } = fresh();
    const first = sale();
    await repo.insert(first);
    const other = sale({ amountMinor: 999, fingerprint: "f".repeat(64) });
    expect(await repo.insert(other)).toEqual({ outcome: "exists", existing: first });
    expect((await repo.get(first.acquirer, first.paymentId))?.amountMinor).toBe(first.amountMinor);
  });

  it("keeps payments of different acquirers with the same id apart", async () => {
    const { repo, sale } = fresh();
    const alipay = sale({ acquirer: "alipay", amountMinor: 1 });
    const wechat = sale({ acquirer: "wechatpay", amountMinor: 2 });
    await repo.insert(alipay);
    await repo.insert(wechat);
    expect((await repo.get(alipay.acquirer, alipay.paymentId))?.amountMinor).toBe(1);
    expect((await repo.get(wechat.acquirer, wechat.paymentId))?.amountMinor).toBe(2);
  });

  it("applies a reversal on its condition, and not twice", async () => {
    const { repo, sale } = fresh();
    const original = sale();
    await repo.insert(original);
    expect(await repo.applyReversal(fullReversal(original, "rev-1"))).toBe(true);
    const reversed = await repo.get(original.acquirer, original.paymentId);
    expect(reversed).toMatchObject({
      status: "REVERSED",
      amountMinor: 0,
      reversedMinor: original.amountMinor,
      reversalIds: ["rev-1"],
    });
    // The condition (PENDING, full amount) no longer holds, and rev-1 is already applied.
    expect(await repo.applyReversal(fullReversal(original, "rev-1"))).toBe(false);
    expect(await repo.applyReversal(fullReversal(original, "rev-2"))).toBe(false);
    expect(await repo.get(original.acquirer, original.paymentId)).toEqual(reversed);
  });

  it("applies a partial reversal without changing the status", async () => {
    const { repo, sale } = fresh();
    const original = sale({ amountMinor: 10_000 });
    await repo.insert(original);
    const partial: ReversalUpdate = {
      ...fullReversal(original, "rev-part"),
      amountMinor: 7_000,
      reversedMinor: 3_000,
      leaveDueIndex: false,
    };
    delete partial.status;
    expect(await repo.applyReversal(partial)).toBe(true);
    expect(await repo.get(original.acquirer, original.paymentId)).toMatchObject({
      status: "PENDING",
      amountMinor: 7_000,
      reversedMinor: 3_000,
      reversalIds: ["rev-part"],
    });
  });

  it("refuses a reversal of a payment that is not there", async () => {
    const { repo, sale } = fresh();
    expect(await repo.applyReversal(fullReversal(sale(), "rev-1"))).toBe(false);
    expect(await repo.get(sale().acquirer, sale().paymentId)).toBeUndefined();
  });

  it("holds a reversal on its original's key until the original arrives, once per reversal", async () => {
    const { repo, sale } = fresh();
    const original = sale();
    const claim = reversalOf(original, "rev-early", original.amountMinor);
    expect(await repo.holdReversal(claim)).toBe("held");
    expect(await repo.holdReversal(claim)).toBe("already-held");
    // A placeholder is not a payment.
    expect(await repo.get(original.acquirer, original.paymentId)).toBeUndefined();
    const second = reversalOf(original, "rev-early-2", 1);
    expect(await repo.holdReversal(second)).toBe("held");

    const seen: ReversalClaim[][] = [];
    const result = await repo.insert(original, (arrived, held) => {
      seen.push([...held]);
      return { ...arrived, status: "REVERSED", amountMinor: 0, reversalIds: held.map((h) => h.paymentId) };
    });
    expect(seen).toEqual([[claim, second]]);
    expect(result).toEqual({
      outcome: "created",
      stored: { ...original, status: "REVERSED", amountMinor: 0, reversalIds: ["rev-early", "rev-early-2"] },
      heldReversals: [claim, second],
    });
    expect(await repo.get(original.acquirer, original.paymentId)).toMatchObject({ status: "REVERSED" });
    expect(await repo.holdReversal(claim)).toBe("original-exists");
  });

  it("stores the payment as sent when reversals wait but no merge function is given", async () => {
    const { repo, sale } = fresh();
    const original = sale();
    await repo.holdReversal(reversalOf(original, "rev-early", 5));
    const result = await repo.insert(original);
    expect(result).toMatchObject({ outcome: "created", stored: original });
    expect(await repo.get(original.acquirer, original.paymentId)).toEqual(original);
  });

  it("hands out copies: changing an answer does not change what is stored", async () => {
    const { repo, sale } = fresh();
    const original = sale();
    await repo.insert(original);
    const read = await repo.get(original.acquirer, original.paymentId);
    if (!read) throw new Error("payment not stored");
    read.amountMinor = 1;
    original.amountMinor = 2;
    expect((await repo.get(original.acquirer, original.paymentId))?.amountMinor).toBe(sale().amountMinor);
  });
}

function merchantRepositoryContract(make: () => Promise<MerchantRepository>): void {
  const store = shared(make);
  it("creates, reads and replaces a profile, saying which", async () => {
    const repo = store();
    const ns = namespace();
    const profile = merchant({ merchantId: `${ns}-m-001` });
    expect(await repo.get(profile.merchantId)).toBeUndefined();
    expect(await repo.put(profile)).toEqual({ created: true });
    expect(await repo.get(profile.merchantId)).toEqual(profile);
    const moved = merchant({ merchantId: `${ns}-m-001`, calendar: "HK", timeZone: "Asia/Hong_Kong" });
    expect(await repo.put(moved)).toEqual({ created: false });
    expect(await repo.get(profile.merchantId)).toEqual(moved);
    expect(await repo.get(`${ns}-m-other`)).toBeUndefined();
  });
}

function notice(overrides: Partial<NoticeRecord> = {}): NoticeRecord {
  return {
    noticeId: "n-1",
    channel: "sms",
    recipientId: "m-001",
    kind: "overdue",
    level: 1,
    language: "zh-CN",
    text: "款项逾期",
    payments: [{ acquirer: "wechatpay", paymentId: "p-1" }],
    sendAfter: "2026-10-08T12:00:00.000Z",
    status: "SCHEDULED",
    createdAt: "2026-10-08T11:00:00.000Z",
    attempts: 0,
    ...overrides,
  };
}

async function collect(pages: AsyncIterable<Array<{ noticeId: string; channel: string }>>) {
  const all: Array<{ noticeId: string; channel: string }> = [];
  for await (const page of pages) all.push(...page);
  return all;
}

function noticeStoreContract(make: () => Promise<NoticeStore>): void {
  const sharedStore = shared(make);
  /** The shared store, and notice ids and outbox shards no other case of the run uses. */
  const fresh = () => {
    const ns = namespace();
    const firstShard = 1000 + namespaces * 10;
    return {
      store: sharedStore(),
      id: (name: string) => `${ns}-${name}`,
      outbox: (n: number) => firstShard + n,
    };
  };

  it("creates a notice once per id and channel", async () => {
    const { store, id, outbox } = fresh();
    const n1 = notice({ noticeId: id("n-1") });
    expect(await store.create(n1, outbox(0))).toBe(true);
    expect(await store.create({ ...n1, text: "again" }, outbox(0))).toBe(false);
    const email = notice({ noticeId: id("n-1"), channel: "email", subject: "Overdue" });
    expect(await store.create(email, outbox(0))).toBe(true);
    expect(await store.get(id("n-1"), "sms")).toEqual(n1);
    expect(await store.get(id("n-1"), "email")).toEqual(email);
    expect(await store.get(id("n-2"), "sms")).toBeUndefined();
  });

  it("lists scheduled notices due at or before now, in send order, from one partition", async () => {
    const { store, id, outbox } = fresh();
    await store.create(notice({ noticeId: id("late"), sendAfter: "2026-10-08T13:00:00.000Z" }), outbox(0));
    await store.create(notice({ noticeId: id("at-now"), sendAfter: "2026-10-08T12:00:00.000Z" }), outbox(0));
    await store.create(notice({ noticeId: id("early"), sendAfter: "2026-10-08T09:00:00.000Z" }), outbox(0));
    await store.create(notice({ noticeId: id("other"), sendAfter: "2026-10-08T09:00:00.000Z" }), outbox(1));
    expect(await collect(store.dueForSending(outbox(0), "2026-10-08T12:00:00.000Z"))).toEqual([
      { noticeId: id("early"), channel: "sms" },
      { noticeId: id("at-now"), channel: "sms" },
    ]);
    expect(await collect(store.dueForSending(outbox(2), "2026-10-09T00:00:00.000Z"))).toEqual([]);
  });

  it("moves SCHEDULED to QUEUED once, and a queued notice leaves the due list", async () => {
    const { store, id, outbox } = fresh();
    await store.create(notice({ noticeId: id("n-1") }), outbox(0));
    expect(await store.markQueued(id("n-1"), "sms")).toBe(true);
    expect(await store.markQueued(id("n-1"), "sms")).toBe(false);
    expect(await store.markQueued(id("missing"), "sms")).toBe(false);
    expect((await store.get(id("n-1"), "sms"))?.status).toBe("QUEUED");
    expect(await collect(store.dueForSending(outbox(0), "2026-12-31T00:00:00.000Z"))).toEqual([]);
  });

  it("lets one claim win; a released claim can be claimed again, counting attempts", async () => {
    const { store, id, outbox } = fresh();
    const n1 = notice({ noticeId: id("n-1") });
    await store.create(n1, outbox(0));
    await store.markQueued(id("n-1"), "sms");
    const claimed = await store.claim(id("n-1"), "sms", "2026-10-08T12:01:00.000Z");
    expect(claimed).toEqual({ ...n1, status: "SENT", sentAt: "2026-10-08T12:01:00.000Z", attempts: 1 });
    expect(await store.claim(id("n-1"), "sms", "2026-10-08T12:02:00.000Z")).toBeUndefined();
    expect(await store.claim(id("missing"), "sms", "2026-10-08T12:02:00.000Z")).toBeUndefined();

    await store.release(id("n-1"), "sms", "provider down");
    expect(await store.get(id("n-1"), "sms")).toEqual({ ...n1, status: "QUEUED", attempts: 1 });
    const again = await store.claim(id("n-1"), "sms", "2026-10-08T12:03:00.000Z");
    expect(again).toMatchObject({ status: "SENT", sentAt: "2026-10-08T12:03:00.000Z", attempts: 2 });
  });

  it("claims a notice straight from SCHEDULED, which then leaves the due list", async () => {
    const { store, id, outbox } = fresh();
    const n1 = notice({ noticeId: id("n-1") });
    await store.create(n1, outbox(0));
    expect(await store.claim(id("n-1"), "sms", "2026-10-08T12:01:00.000Z")).toMatchObject({ status: "SENT" });
    expect(await collect(store.dueForSending(outbox(0), "2026-12-31T00:00:00.000Z"))).toEqual([]);
    await store.release(id("n-1"), "sms", "first");
    // Releasing a notice that is not SENT (any more) changes nothing.
    await store.release(id("n-1"), "sms", "second");
    expect(await store.get(id("n-1"), "sms")).toEqual({ ...n1, status: "QUEUED", attempts: 1 });
    await store.release(id("missing"), "sms", "nothing there");
    expect(await store.get(id("missing"), "sms")).toBeUndefined();
  });
}

function fileDayLedgerContract(make: () => Promise<FileDayLedger>): void {
  const store = shared(make);
  it("answers the latest day recorded per acquirer, whatever the order of recording", async () => {
    const ledger = store();
    const ns = namespace();
    const [alipay, wechat] = [`${ns}-alipay`, `${ns}-wechatpay`];
    expect(await ledger.latestFileDay(alipay)).toBeUndefined();
    await ledger.recordFileDay(alipay, "2026-10-08");
    await ledger.recordFileDay(alipay, "2026-10-10");
    await ledger.recordFileDay(alipay, "2026-10-09");
    await ledger.recordFileDay(alipay, "2026-10-10");
    await ledger.recordFileDay(wechat, "2026-09-30");
    expect(await ledger.latestFileDay(alipay)).toBe("2026-10-10");
    expect(await ledger.latestFileDay(wechat)).toBe("2026-09-30");
    // Another acquirer whose name starts the same is another acquirer.
    expect(await ledger.latestFileDay(`${ns}-ali`)).toBeUndefined();
  });
}
