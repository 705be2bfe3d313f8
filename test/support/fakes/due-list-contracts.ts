import { expect, it } from "vitest";
import type { ReversalUpdate } from "../../../functions/domain/matching/reversal-confirmations.js";
import {
  type CalendarHold,
  dueShardOf,
  type ExpectedArrivalFields,
  type Payment,
  type PaymentNoticeEntry,
} from "../../../functions/domain/payment/payment.js";
import type {
  DueList,
  MerchantRepository,
  OverdueStore,
  PaymentRepository,
} from "../../../functions/use-cases/ports.js";
import type { CalendarHoldStore } from "../../../functions/use-cases/run-calendar-check.js";
import { merchant, payment } from "../../unit/notification/fixtures.js";

/**
 * The ports that share the payments of one table (in DynamoDB: one table and its due index): the
 * repository writes them, the overdue store walks the due and escalation lists, the calendar-hold
 * store the payments held for an uncovered calendar year. Part of the port contract suite
 * (port-contracts.ts), run against the fakes and the DynamoDB adapters.
 */
export interface PaymentTablePorts {
  payments: PaymentRepository;
  merchants: MerchantRepository;
  overdue: OverdueStore;
  holds: CalendarHoldStore;
  dueShards: number;
}

const OVERDUE_AT = "2026-10-08T11:00:00.000Z";
const JUST_BEFORE = "2026-10-08T10:59:59.999Z";
const END_OF_TIME = "9999-12-31T00:00:00.000Z";

/** On the due list: no shard (a due marker may stand for the payment on another shard than its own). */
type Listed =
  | { list: "due"; paymentId: string }
  | { list: DueList["kind"]; shard: number; paymentId: string };

/**
 * Everything on every due and escalation list up to `nowIso`, of this case's acquirer only, as the
 * check reads it: a payment's own due entry, or its merchant day's due marker when the payment is
 * PENDING and overdue by then (a marker stands for its whole day; the check skips the others).
 */
async function everywhere(ports: PaymentTablePorts, acquirer: string, nowIso: string): Promise<Listed[]> {
  const due = new Set<string>();
  const listed: Listed[] = [];
  for (let shard = 0; shard < ports.dueShards; shard += 1) {
    for await (const page of ports.overdue.dueAfter(shard, undefined, nowIso)) {
      for (const ref of page.refs) if (ref.acquirer === acquirer) due.add(ref.paymentId);
      const covered = await ports.overdue.getPayments(
        page.covered.filter((ref) => ref.acquirer === acquirer),
      );
      for (const p of covered)
        if (
          p.status === "PENDING" &&
          !p.arrival?.calendarHold &&
          (p.arrival?.overdueAt ?? "\uffff") <= nowIso
        )
          due.add(p.paymentId);
    }
    for await (const page of ports.overdue.indexedUpTo({ kind: "escalation", shard }, nowIso)) {
      for (const ref of page)
        if (ref.acquirer === acquirer) listed.push({ list: "escalation", shard, paymentId: ref.paymentId });
    }
  }
  for (const paymentId of due) listed.push({ list: "due", paymentId });
  return listed.sort((a, b) => (a.paymentId < b.paymentId ? -1 : 1));
}

async function held(holds: CalendarHoldStore, hold: CalendarHold): Promise<Payment[]> {
  const payments: Payment[] = [];
  for await (const page of holds.heldPayments(hold)) payments.push(...page);
  return payments.sort((a, b) => (a.paymentId < b.paymentId ? -1 : 1));
}

function entry(level: number): PaymentNoticeEntry {
  return { kind: level === 0 ? "overdue" : "escalation", level, sentAt: OVERDUE_AT, noticeId: `n-${level}` };
}

function fullReversal(original: Payment): ReversalUpdate {
  return {
    payment: { acquirer: original.acquirer, paymentId: original.paymentId, merchantId: original.merchantId },
    currency: original.currency,
    confirmedAtUtc: original.confirmedAtUtc,
    reversalId: "rev-1",
    condition: { status: "PENDING", amountMinor: original.amountMinor },
    status: "REVERSED",
    amountMinor: 0,
    reversedMinor: original.amountMinor,
    leaveDueIndex: true,
  };
}

/** When the calendar check releases the holds below: long before their new overdue time. */
const RELEASED_AT = "2026-12-31T02:00:00.000Z";

/** The arrival the calendar check recomputes once the year is loaded (4 Jan 2027, covered). */

const RECOMPUTED: ExpectedArrivalFields = {
  tradeDate: "2026-12-31",
  dueDate: "2027-01-04",
  expectedBy: "2027-01-04T10:00:00.000Z",
  overdueAt: "2027-01-04T11:00:00.000Z",
  explanation: "recomputed with the 2027 calendar",
  calendarCoverage: "covered",
};

/**
 * `fresh()` gives the shared ports and this case's namespace: its own acquirer (due lists are
 * shared by the cases) and its own calendar-hold region.
 */
export function dueListContract(fresh: () => { ports: PaymentTablePorts; ns: string }): void {
  const sales =
    (ns: string) =>
    (paymentId: string, overrides: Parameters<typeof payment>[0] = {}) =>
      payment({ noticeHistory: undefined, ...overrides, acquirer: `${ns}-wechatpay`, paymentId });
  const refOf = (p: Payment) => ({ acquirer: p.acquirer, paymentId: p.paymentId });

  it("OverdueStore: lists a PENDING payment on its due shard from its overdue instant, and nothing else", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns);
    const pending = sale("pending");
    await ports.payments.insert(pending);
    await ports.payments.insert(sale("settled", { status: "SETTLED" }));
    await ports.payments.insert(sale("refund", { kind: "refund", status: "RECORDED" }));
    expect(await everywhere(ports, pending.acquirer, JUST_BEFORE)).toEqual([]);
    expect(await everywhere(ports, pending.acquirer, OVERDUE_AT)).toEqual([
      { list: "due", paymentId: "pending" },
    ]);
  });

  it("OverdueStore: a late confirmation comes due the lag margin after it arrived; read forward from a watermark once; deferred while PENDING", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns);
    const arrivedAt = "2026-10-09T02:00:00.000Z"; // after its overdue instant (8 Oct 11:00)
    const late = sale("late", { receivedAt: arrivedAt });
    await ports.payments.insert(late);
    const shard = dueShardOf(late.acquirer, late.paymentId, ports.dueShards);
    const mine = async (after: string | undefined, nowIso: string) => {
      const pages = [];
      for await (const page of ports.overdue.dueAfter(shard, after, nowIso)) pages.push(page);
      const refs = pages.flatMap((page) => page.refs).filter((ref) => ref.acquirer === late.acquirer);
      return { ids: refs.map((ref) => ref.paymentId), through: pages.at(-1)?.through };
    };
    expect((await mine(undefined, "2026-10-09T02:14:59.999Z")).ids).toEqual([]);
    const first = await mine(undefined, "2026-10-09T02:15:00.000Z");
    expect(first.ids).toEqual(["late"]);
    // From the position the reading reached, the entry is not read again.
    expect((await mine(first.through, "2026-10-10T00:00:00.000Z")).ids).toEqual([]);
    expect(first.through).toBeDefined();
    expect(String(first.through) <= ports.overdue.dueThrough("2026-10-09T02:15:00.000Z")).toBe(true);

    // Watermarks only move forward.
    const later = ports.overdue.dueThrough("2026-10-09T03:00:00.000Z");
    await ports.overdue.saveDueWatermark(shard, later);
    await ports.overdue.saveDueWatermark(shard, ports.overdue.dueThrough("2026-10-09T01:00:00.000Z"));
    expect(await ports.overdue.dueWatermark(shard)).toBe(later);

    // Deferred: read again after the position it was deferred to, not before.
    expect(
      await ports.overdue.deferDue(late, shard, { at: "2026-10-09T06:00:00.000Z", nowIso: arrivedAt }),
    ).toBe(true);
    expect((await mine(later, "2026-10-09T05:59:59.999Z")).ids).toEqual([]);
    expect((await mine(later, "2026-10-09T06:00:00.000Z")).ids).toEqual(["late"]);
    // Not on that shard's list any more once it is no longer PENDING.
    await ports.payments.applyReversal(fullReversal(late));
    expect(
      await ports.overdue.deferDue(late, shard, { at: "2026-10-10T06:00:00.000Z", nowIso: arrivedAt }),
    ).toBe(false);
  });

  it("OverdueStore: reads the current payments of refs, skipping refs with no payment", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns);
    const [a, b] = [sale("a"), sale("b", { amountMinor: 1 })];
    await ports.payments.insert(a);
    await ports.payments.insert(b);
    const read = await ports.overdue.getPayments([refOf(b), refOf(sale("missing")), refOf(a)]);
    expect(read.sort((x, y) => (x.paymentId < y.paymentId ? -1 : 1))).toEqual([a, b]);
    expect(await ports.overdue.getPayments([])).toEqual([]);
  });

  it("OverdueStore: marks PENDING → OVERDUE once, from its overdue instant, onto the escalation list", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns)("late");
    await ports.payments.insert(sale);
    const escalation = { shard: ports.dueShards - 1, at: "2026-10-09T11:00:00.000Z" };
    expect(await ports.overdue.markOverdue(sale, JUST_BEFORE, escalation)).toBe(false);
    expect(await ports.payments.get(sale.acquirer, sale.paymentId)).toEqual(sale);

    expect(await ports.overdue.markOverdue(sale, OVERDUE_AT, escalation)).toBe(true);
    expect(await ports.payments.get(sale.acquirer, sale.paymentId)).toEqual({
      ...sale,
      status: "OVERDUE",
      overdueMarkedAt: OVERDUE_AT,
    });
    expect(await everywhere(ports, sale.acquirer, "2026-10-09T10:59:59.999Z")).toEqual([]);
    expect(await everywhere(ports, sale.acquirer, escalation.at)).toEqual([
      { list: "escalation", shard: escalation.shard, paymentId: "late" },
    ]);
    expect(await ports.overdue.markOverdue(sale, END_OF_TIME, escalation)).toBe(false);
  });

  it("OverdueStore: records a notice only on the history it read, and sets or clears the next reminder", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns)("noticed");
    await ports.payments.insert(sale);
    await ports.overdue.markOverdue(sale, OVERDUE_AT, { shard: 0, at: OVERDUE_AT });
    const [read] = await ports.overdue.getPayments([refOf(sale)]);
    if (!read) throw new Error("the payment was stored");
    const next = { shard: 1 % ports.dueShards, at: "2026-10-10T11:00:00.000Z" };
    expect(await ports.overdue.recordPaymentNotice(read, entry(0), next)).toBe(true);
    // Read before that notice: somebody else recorded one since.
    expect(await ports.overdue.recordPaymentNotice(read, entry(1), null)).toBe(false);
    const [reread] = await ports.overdue.getPayments([refOf(sale)]);
    if (!reread) throw new Error("the payment was stored");
    expect(reread.noticeHistory).toEqual([entry(0)]);
    expect(await everywhere(ports, sale.acquirer, END_OF_TIME)).toEqual([
      { list: "escalation", shard: next.shard, paymentId: "noticed" },
    ]);

    expect(await ports.overdue.recordPaymentNotice(reread, entry(1), null)).toBe(true);
    expect((await ports.payments.get(sale.acquirer, sale.paymentId))?.noticeHistory).toEqual([
      entry(0),
      entry(1),
    ]);
    expect(await everywhere(ports, sale.acquirer, END_OF_TIME)).toEqual([]);
    expect(await ports.overdue.recordPaymentNotice(sales(ns)("never-stored"), entry(0), null)).toBe(false);
  });

  it("PaymentRepository + OverdueStore: a full reversal takes the payment off the due list, a partial one does not", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns);
    const [full, part] = [sale("full"), sale("part")];
    await ports.payments.insert(full);
    await ports.payments.insert(part);
    expect(await ports.payments.applyReversal(fullReversal(full))).toBe(true);
    const partial: ReversalUpdate = { ...fullReversal(part), amountMinor: 1, reversedMinor: 12849 };
    partial.leaveDueIndex = false;
    delete partial.status;
    expect(await ports.payments.applyReversal(partial)).toBe(true);
    expect((await everywhere(ports, full.acquirer, END_OF_TIME)).map((l) => l.paymentId)).toEqual(["part"]);
  });

  it("CalendarHoldStore: lists every calendar a merchant profile was put with", async () => {
    const { ports, ns } = fresh();
    await ports.merchants.put(merchant({ merchantId: `${ns}-m`, calendar: "HK" }));
    await ports.merchants.put(merchant({ merchantId: `${ns}-m`, calendar: "SG" }));
    const inUse = await ports.holds.calendarsInUse();
    expect(inUse).toEqual(expect.arrayContaining(["HK", "SG"]));
    expect(new Set(inUse).size).toBe(inUse.length);
  });

  it("CalendarHoldStore: finds held payments from their year's marker and counts those past their guess", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns);
    const hold = { region: `${ns.toUpperCase()}`, year: 2027 };
    const first = sale("held-1", { arrival: { overdueAt: "2027-01-01T11:00:00.000Z", calendarHold: hold } });
    const second = sale("held-2", { arrival: { overdueAt: "2027-01-05T11:00:00.000Z", calendarHold: hold } });
    const settledHold = { region: `${ns.toUpperCase()}X`, year: 2027 };
    await ports.payments.insert(first);
    await ports.payments.insert(second);
    await ports.payments.insert(
      sale("settled", { status: "SETTLED", arrival: { calendarHold: settledHold } }),
    );

    const years = await ports.holds.heldYears();
    expect(years).toContainEqual(hold);
    expect(years).not.toContainEqual(settledHold);
    expect(await ports.holds.countHeldUpTo(hold, "2027-01-01T10:59:59.999Z")).toBe(0);
    expect(await ports.holds.countHeldUpTo(hold, "2027-01-01T11:00:00.000Z")).toBe(1);
    expect(await ports.holds.countHeldUpTo(hold, END_OF_TIME)).toBe(2);
    expect(await held(ports.holds, hold)).toEqual([first, second]);
    // Held payments are on no due list, whatever the time.
    expect(await everywhere(ports, first.acquirer, END_OF_TIME)).toEqual([]);
  });

  it("CalendarHoldStore: releases a hold only while PENDING and held for that year, onto the due list or a later hold", async () => {
    const { ports, ns } = fresh();
    const sale = sales(ns);
    const hold = { region: `${ns.toUpperCase()}`, year: 2027 };
    const later = { region: hold.region, year: 2028 };
    const [toDue, toLater, reversed] = ["to-due", "to-later", "reversed"].map((id) =>
      sale(id, { arrival: { overdueAt: "2027-01-01T11:00:00.000Z", calendarHold: hold } }),
    ) as [Payment, Payment, Payment];
    for (const p of [toDue, toLater, reversed]) await ports.payments.insert(p);

    expect(await ports.holds.releaseHold(toDue, later, RECOMPUTED, RELEASED_AT)).toBe(false);
    expect(await ports.holds.releaseHold(toDue, hold, RECOMPUTED, RELEASED_AT)).toBe(true);
    expect(await ports.payments.get(toDue.acquirer, toDue.paymentId)).toEqual({
      ...toDue,
      arrival: RECOMPUTED,
    });
    expect(await everywhere(ports, toDue.acquirer, RECOMPUTED.overdueAt)).toEqual([
      { list: "due", paymentId: "to-due" },
    ]);
    expect(await ports.holds.releaseHold(toDue, hold, RECOMPUTED, RELEASED_AT)).toBe(false);

    const stillHeld = { ...RECOMPUTED, calendarHold: later };
    expect(await ports.holds.releaseHold(toLater, hold, stillHeld, RELEASED_AT)).toBe(true);
    expect(await ports.holds.heldYears()).toContainEqual(later);
    expect(await held(ports.holds, later)).toEqual([{ ...toLater, arrival: stillHeld }]);

    expect(await ports.payments.applyReversal(fullReversal(reversed))).toBe(true);
    expect(await ports.holds.releaseHold(reversed, hold, RECOMPUTED, RELEASED_AT)).toBe(false);
    expect(await held(ports.holds, hold)).toEqual([]);
    expect(await ports.holds.countHeldUpTo(hold, END_OF_TIME)).toBe(0);
  });
}
