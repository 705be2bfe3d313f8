import { InMemoryCalendarHoldStore } from "../../support/fakes/in-memory-calendar-hold-store.js";
import { InMemoryFileDayLedger } from "../../support/fakes/in-memory-file-day-ledger.js";
import { InMemoryMerchantRepository } from "../../support/fakes/in-memory-merchant-repository.js";
import { InMemoryNoticeStore } from "../../support/fakes/in-memory-notice-store.js";
import { InMemoryOverdueStore } from "../../support/fakes/in-memory-overdue-store.js";
import { InMemoryPaymentRepository } from "../../support/fakes/in-memory-payment-repository.js";
import { InMemoryPaymentTable } from "../../support/fakes/in-memory-payment-table.js";
import { portContracts } from "../../support/fakes/port-contracts.js";

// The same suite runs against the DynamoDB adapters in test/integration/port-contracts.test.ts.
portContracts("in-memory fake", {
  payments: async () => new InMemoryPaymentRepository(),
  merchants: async () => new InMemoryMerchantRepository(),
  // A small page, so the paging of the due list is exercised too.
  notices: async () => new InMemoryNoticeStore(1),
  fileDays: async () => new InMemoryFileDayLedger(),
  paymentTable: async () => {
    const table = new InMemoryPaymentTable(4);
    return {
      payments: new InMemoryPaymentRepository(table),
      merchants: new InMemoryMerchantRepository(table),
      // Pages of one: the paging of the lists is exercised too.
      overdue: new InMemoryOverdueStore(table, 1),
      holds: new InMemoryCalendarHoldStore(table, 1),
      dueShards: table.dueShards,
    };
  },
});
