import { DynamoDbCalendarHoldStore } from "../../functions/adapters/dynamodb/calendar-hold-store.js";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../../functions/adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantRepository } from "../../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../../functions/adapters/dynamodb/notice-store.js";
import { DynamoDbOverdueStore } from "../../functions/adapters/dynamodb/overdue-store.js";
import { DynamoDbPaymentRepository } from "../../functions/adapters/dynamodb/payment-repository.js";
import { createTestTable } from "../support/dynamodb.js";
import { portContracts } from "../support/fakes/port-contracts.js";

/** One table per port: the contract cases share it, each in its own namespace of ids. */
async function freshTable() {
  const table = await createTestTable();
  return { db: documentClient(table.client), tableName: table.tableName };
}

// The same suite runs against the in-memory fakes in test/unit/fakes/port-contracts.test.ts:
// a fake that drifts from its adapter fails one of the two.
portContracts("DynamoDB adapter", {
  payments: async () => {
    const { db, tableName } = await freshTable();
    return new DynamoDbPaymentRepository(db, tableName, 16);
  },
  merchants: async () => {
    const { db, tableName } = await freshTable();
    return new DynamoDbMerchantRepository(db, tableName);
  },
  notices: async () => {
    const { db, tableName } = await freshTable();
    return new DynamoDbNoticeStore(db, tableName);
  },
  fileDays: async () => {
    const { db, tableName } = await freshTable();
    return new DynamoDbFileDayLedger(db, tableName);
  },
  paymentTable: async () => {
    const { db, tableName } = await freshTable();
    const dueShards = 4;
    return {
      payments: new DynamoDbPaymentRepository(db, tableName, dueShards),
      merchants: new DynamoDbMerchantRepository(db, tableName),
      overdue: new DynamoDbOverdueStore(db, tableName),
      holds: new DynamoDbCalendarHoldStore(db, tableName, dueShards),
      dueShards,
    };
  },
});
