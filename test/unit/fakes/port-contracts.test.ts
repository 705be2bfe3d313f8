import { InMemoryFileDayLedger } from "../../support/fakes/in-memory-file-day-ledger.js";
import { InMemoryMerchantRepository } from "../../support/fakes/in-memory-merchant-repository.js";
import { InMemoryNoticeStore } from "../../support/fakes/in-memory-notice-store.js";
import { InMemoryPaymentRepository } from "../../support/fakes/in-memory-payment-repository.js";
import { portContracts } from "../../support/fakes/port-contracts.js";

// The same suite runs against the DynamoDB adapters in test/integration/port-contracts.test.ts.
portContracts("in-memory fake", {
  payments: async () => new InMemoryPaymentRepository(),
  merchants: async () => new InMemoryMerchantRepository(),
  // A small page, so the paging of the due list is exercised too.
  notices: async () => new InMemoryNoticeStore(1),
  fileDays: async () => new InMemoryFileDayLedger(),
});
