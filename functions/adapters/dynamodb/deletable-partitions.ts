import { keys } from "./table-keys.js";

/**
 * The only items the settlement ingest deletes: a bank credit held until the acquirer file of its
 * payout batch came (settlement-store.ts releaseCredit). IAM `dynamodb:LeadingKeys` patterns, so the
 * stack grants DeleteItem on exactly these partitions without knowing their key shape.
 */
export const SETTLEMENT_INGEST_DELETABLE_PARTITIONS = [`${keys.heldCredit("", "", "").pk}*`] as const;
