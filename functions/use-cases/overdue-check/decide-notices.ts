import pMap from "p-map";
import type { MerchantProfile } from "../../domain/merchant/merchant-profile.js";
import {
  buildOverdueDigests,
  type Digest,
  type NoticeCandidate,
  type UnnotifiablePayment,
} from "../../domain/notification/digest.js";
import { decideEscalation } from "../../domain/notification/escalation.js";
import type { Payment } from "../../domain/payment/payment.js";
import type { MerchantRepository } from "../ports.js";
import { type CheckRun, idOf } from "./check-run.js";

const PROFILE_CONCURRENCY = 16;

/** Which overdue payments are due a notice now, grouped into one digest per merchant. */
export interface NoticeDecisions {
  digests: Digest[];
  /** Due a notice, but nobody can be told (no profile, no contact). */
  unnotifiable: UnnotifiablePayment[];
  profiles: Map<string, MerchantProfile>;
  /** The escalation level each payment is notified at, by {@link idOf}. */
  levelOf: Map<string, number>;
}

/** Decide: each candidate's escalation level due now (if any), and the merchants' digests. */
export async function decideNotices(
  run: CheckRun,
  candidates: ReadonlyMap<string, Payment>,
): Promise<NoticeDecisions> {
  const due: NoticeCandidate[] = [];
  for (const payment of candidates.values()) {
    const decision = decideEscalation(payment.noticeHistory ?? [], run.now, run.hours);
    if (decision.due) due.push({ payment, level: decision.level });
  }
  const profiles = await loadProfiles(
    run.deps.merchants,
    due.map((candidate) => candidate.payment.merchantId),
  );
  const { digests, unnotifiable } = buildOverdueDigests(due, profiles);
  const levelOf = new Map(due.map((candidate) => [idOf(candidate.payment), candidate.level]));
  return { digests, unnotifiable, profiles, levelOf };
}

/** The profiles of these merchants that exist, each read once. */
export async function loadProfiles(
  merchants: MerchantRepository,
  merchantIds: readonly string[],
): Promise<Map<string, MerchantProfile>> {
  const unique = [...new Set(merchantIds)];
  const found = await pMap(
    unique,
    async (merchantId) => [merchantId, await merchants.get(merchantId)] as const,
    {
      concurrency: PROFILE_CONCURRENCY,
    },
  );
  return new Map(
    found.filter((entry): entry is readonly [string, MerchantProfile] => entry[1] !== undefined),
  );
}
