import { describe, expect, it } from "vitest";
import {
  dueMarkerItem,
  dueMarkerOf,
  storedItem,
} from "../../../functions/adapters/dynamodb/payment-repository.js";
import { DUE_INDEX } from "../../../functions/shared/table-schema.js";
import { dueMarkerDay, legacyTableKeys, tableKeys } from "../../support/table-items.js";
import { payment } from "../notification/fixtures.js";

const MARGIN = 15 * 60 * 1000;

describe("which payments a due marker stands for (the confirmation's write)", () => {
  const sale = payment({ receivedAt: "2026-09-30T08:00:00.000Z" });
  const overdueAt = String(sale.arrival?.overdueAt);

  it("files a PENDING sale due later than the lag margin under its merchant day's marker, without a due entry", () => {
    const marker = dueMarkerOf(sale, MARGIN);
    expect(marker).toEqual({ merchantId: sale.merchantId, tradeDate: sale.arrival?.tradeDate, overdueAt });
    const item = storedItem(sale, 16);
    expect(item[DUE_INDEX.partitionKey]).toBeUndefined();
    expect(item[DUE_INDEX.sortKey]).toBeUndefined();
    // A table item in its due shard's marker partition, at its instant, on no index: one write unit.
    const markerItem = dueMarkerItem(marker ?? ({} as never), 16);
    expect(String(markerItem.pk)).toMatch(/^DUEMARKS#\d\d$/);
    expect(String(markerItem.sk).startsWith(`${overdueAt}#`)).toBe(true);
    expect(Object.keys(markerItem).filter((name) => name.startsWith("gsi"))).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(markerItem))).toBeLessThan(1024);
  });

  it("keeps an entry of its own for a late confirmation, a held or non-PENDING payment, a refund and time travel", () => {
    const lateAt = new Date(Date.parse(overdueAt) - MARGIN + 1).toISOString();
    const others = [
      payment({ receivedAt: lateAt }),
      payment({ receivedAt: sale.receivedAt, arrival: { calendarHold: { region: "CN", year: 2027 } } }),
      payment({ receivedAt: sale.receivedAt, status: "SETTLED" }),
      payment({ receivedAt: sale.receivedAt, kind: "refund" }),
    ];
    for (const other of others) expect(dueMarkerOf(other, MARGIN)).toBeUndefined();
    expect(dueMarkerOf(sale, null)).toBeUndefined();
    expect(storedItem(others[0] ?? sale, 16)[DUE_INDEX.partitionKey]).toBeDefined();
    // Exactly the margin ahead is enough: the marker is visible by then.
    const justInTime = new Date(Date.parse(overdueAt) - MARGIN).toISOString();
    expect(dueMarkerOf(payment({ receivedAt: justInTime }), MARGIN)).toBeDefined();
  });

  it("reads the merchant day of a marker an older version filed on the due index, merchant ids with # included", () => {
    const key = legacyTableKeys.dueMarker("2026-09-30", "m#1#x", overdueAt);
    expect(dueMarkerDay(key.pk)).toEqual({ tradeDate: "2026-09-30", merchantId: "m#1#x" });
    expect(dueMarkerDay(tableKeys.payment("acq", "DUEMARK#2026-09-30#m").pk)).toBeUndefined();
  });
});
