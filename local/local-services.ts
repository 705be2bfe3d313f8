import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CachedMerchantRepository } from "../functions/adapters/cache/cached-merchant-repository.js";
import { OverridableCalendarProvider } from "../functions/adapters/calendars/calendar-provider.js";
import { systemClock } from "../functions/adapters/clock/system-clock.js";
import {
  cryptoRandom,
  HmacSecretHasher,
  newSignInSecret,
} from "../functions/adapters/crypto/sign-in-crypto.js";
import { DynamoDbCalendarHoldStore } from "../functions/adapters/dynamodb/calendar-hold-store.js";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { DynamoDbFileDayLedger } from "../functions/adapters/dynamodb/file-day-ledger.js";
import { DynamoDbMerchantPaymentReader } from "../functions/adapters/dynamodb/merchant-payment-reader.js";
import { DynamoDbMerchantRepository } from "../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbNoticeStore } from "../functions/adapters/dynamodb/notice-store.js";
import { DynamoDbOpenPaymentStatsStore } from "../functions/adapters/dynamodb/open-payment-stats-store.js";
import { DynamoDbOverdueStore } from "../functions/adapters/dynamodb/overdue-store.js";
import { DynamoDbPaymentRepository } from "../functions/adapters/dynamodb/payment-repository.js";
import { DynamoDbSettlementStore } from "../functions/adapters/dynamodb/settlement-store.js";
import { DynamoDbSignInStore } from "../functions/adapters/dynamodb/sign-in-store.js";
import { changeOfStreamRecord } from "../functions/adapters/dynamodb/stream-records.js";
import { InProcessNoticeQueue } from "../functions/adapters/local/in-process-notice-queue.js";
import { OutboxNoticeSender } from "../functions/adapters/local/outbox-notice-sender.js";
import {
  alipayAccounts,
  staticCredentials,
  wechatPayAccounts,
} from "../functions/adapters/platforms/platform-credentials.js";
import { platformQueries } from "../functions/adapters/platforms/platform-queries.js";
import { StaticReportTokens } from "../functions/adapters/secrets/secrets-manager-report-tokens.js";
import { StaticWebhookSecretStore } from "../functions/adapters/secrets/static-webhook-secrets.js";
import { DEFAULT_CALENDAR_HORIZON_DAYS } from "../functions/domain/calendar/calendar-horizon.js";
import type { MerchantApiDeps } from "../functions/http/merchant-routes.js";
import type { OperatorDeps } from "../functions/http/routes.js";
import type { SmsReportDeps } from "../functions/http/sms-report-route.js";
import { smsDeliveryFrom } from "../functions/shared/sms-config.js";
import {
  type DeliverNoticeDeps,
  type DeliveryOutcome,
  deliverNotice,
} from "../functions/use-cases/deliver-notice.js";
import type { IngestConfirmationsDeps } from "../functions/use-cases/ingest-confirmations.js";
import type { IngestSettlementFileDeps } from "../functions/use-cases/ingest-settlement-file.js";
import type { SecretHasher } from "../functions/use-cases/merchant-page-ports.js";
import {
  type CountChangesResult,
  countTableChanges,
  type OpenPaymentsReport,
  reportOpenPayments,
} from "../functions/use-cases/open-payment-stats.js";
import {
  type BusinessMetrics,
  type Clock,
  noMetrics,
  noSmsMetrics,
  type SmsMetrics,
} from "../functions/use-cases/ports.js";
import {
  type CalendarCheckDeps,
  type CalendarCheckReport,
  type CalendarMetrics,
  runCalendarCheck,
} from "../functions/use-cases/run-calendar-check.js";
import {
  type OverdueCheckDeps,
  type OverdueCheckReport,
  runOverdueCheck,
  scheduleArrivedNotices,
} from "../functions/use-cases/run-overdue-check.js";
import type { LocalConfig } from "./local-config.js";
import type { LocalTableStreamReader } from "./table-stream.js";

export interface LocalServices {
  ingest: IngestConfirmationsDeps;
  operator: OperatorDeps;
  settlement: IngestSettlementFileDeps;
  check: OverdueCheckDeps;
  calendarCheck: CalendarCheckDeps;
  deliver: DeliverNoticeDeps;
  /** SMS delivery reports (the AWS reports function); a fallback email is queued by the next check. */
  smsReports: SmsReportDeps;
  outbox: OutboxNoticeSender;
  /** The merchant page's API (/m/api/…). */
  merchant: MerchantApiDeps;
  /**
   * One calendar check and one overdue check, then every notice they queued delivered (what
   * EventBridge + SQS + the notifier do in AWS), then the open payments as the dashboard gauges show them.
   */
  checkAndNotify(clock?: Clock): Promise<{
    calendars: CalendarCheckReport;
    report: OverdueCheckReport;
    deliveries: DeliveryOutcome[];
    openPayments?: OpenPaymentsReport;
  }>;
  /** Counts the table changes not counted yet (the stream consumer's job in AWS); needs a stream reader. */
  countTableChanges(): Promise<CountChangesResult | undefined>;
}

/** The same use cases as in AWS, wired to DynamoDB Local and local stand-ins for SQS and SNS. */
export function localServices(
  client: DynamoDBClient,
  config: LocalConfig,
  options: {
    clock?: Clock;
    metrics?: BusinessMetrics;
    print?: (line: string) => void;
    outboxFile?: string | null;
    /** The table's stream on DynamoDB Local: keeps the open-payment counters as the stream consumer does in AWS. */
    tableStream?: LocalTableStreamReader;
    calendarMetrics?: CalendarMetrics;
    smsMetrics?: SmsMetrics;
    /** Where the merchant page's use cases log (merchant ids and outcomes, never numbers). */
    log?: (message: string, fields: Record<string, unknown>) => void;
    /**
     * `simulate` and the local monitor (`check --as-of`): checks run as of instants before the
     * confirmations were stored, so the due list is read without a watermark and entries are filed
     * at their overdue time (DynamoDB Local's index does not lag).
     */
    timeTravel?: boolean;
  } = {},
): LocalServices {
  const db = documentClient(client);
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noMetrics;
  const overridesFile = config.calendarOverridesFile;
  const merchants = new CachedMerchantRepository(new DynamoDbMerchantRepository(db, config.tableName));
  const notices = new DynamoDbNoticeStore(db, config.tableName);
  const queue = new InProcessNoticeQueue();
  // A check run "as of" an instant sends its notices at that instant too.
  let sendingClock: Clock = clock;
  const outbox = new OutboxNoticeSender(
    options.outboxFile === null ? undefined : (options.outboxFile ?? join(config.dataDir, "outbox.jsonl")),
    options.print,
    () => sendingClock.now(),
    config.sms.providers,
  );
  const settlementStore = new DynamoDbSettlementStore(db, config.tableName);
  const openPaymentStats = new DynamoDbOpenPaymentStatsStore(db, config.tableName, () => clock.now());
  const countChanges = async () => {
    if (!options.tableStream) return undefined;
    // Shard by shard, as Lambda does: each shard is a lane with its own watermark. The reader
    // moves past a shard's records only once they are counted (a failure is retried next time).
    const results = await options.tableStream.consumeByShard((lane, records) =>
      countTableChanges(records.map(changeOfStreamRecord), { stats: openPaymentStats, metrics }, { lane }),
    );
    return results.reduce(
      (sum, result) => ({
        counted: sum.counted + result.counted,
        alreadyCounted: sum.alreadyCounted + result.alreadyCounted,
        ignored: sum.ignored + result.ignored,
      }),
      { counted: 0, alreadyCounted: 0, ignored: 0 },
    );
  };
  const ingest: IngestConfirmationsDeps = {
    payments: new DynamoDbPaymentRepository(db, config.tableName, config.dueShards, {
      ...(options.timeTravel ? { dueLagMarginMs: null } : {}),
      acquirersWithoutOrderIndex: Object.entries(config.matchByOrderNumber)
        .filter(([, matched]) => !matched)
        .map(([acquirer]) => acquirer),
    }),
    settlement: settlementStore,
    merchants,
    secrets: new StaticWebhookSecretStore(config.webhookSecrets),
    calendars: new OverridableCalendarProvider(async () =>
      overridesFile ? JSON.parse(await readFile(overridesFile, "utf8")) : undefined,
    ),
    clock,
    metrics,
    defaultTerms: config.defaultTerms,
    inputLimits: config.inputLimits,
  };
  const check: OverdueCheckDeps = {
    overdue: new DynamoDbOverdueStore(db, config.tableName, { timeTravel: options.timeTravel ?? false }),
    notices,
    merchants,
    fileDays: new DynamoDbFileDayLedger(db, config.tableName),
    queue,
    clock,
    metrics,
    config: {
      dueShards: config.dueShards,
      escalationHours: config.escalationHours,
      fileExpectations: config.settlementFiles,
      noticeText: {
        acquirers: config.acquirerContacts,
        smsDelivery: smsDeliveryFrom(config.sms.routing, config.sms.providers),
      },
    },
  };
  const calendarCheck: CalendarCheckDeps = {
    holds: new DynamoDbCalendarHoldStore(db, config.tableName, config.dueShards),
    // Read the overrides file on every check: an edited file takes effect at the next check.
    calendars: new OverridableCalendarProvider(
      async () => (overridesFile ? JSON.parse(await readFile(overridesFile, "utf8")) : undefined),
      0,
    ),
    merchants,
    notices,
    clock,
    metrics: options.calendarMetrics ?? { yearsMissing() {}, yearMissing() {}, paymentsHeld() {} },
    config: {
      horizonDays: DEFAULT_CALENDAR_HORIZON_DAYS,
      defaultTerms: config.defaultTerms,
      dueShards: config.dueShards,
    },
  };
  const smsMetrics = options.smsMetrics ?? noSmsMetrics;
  const deliver: DeliverNoticeDeps = { notices, merchants, sender: outbox, clock, metrics, smsMetrics };
  const smsReports: SmsReportDeps = {
    notices,
    merchants,
    clock,
    metrics: smsMetrics,
    config: { dueShards: config.dueShards },
    tokens: new StaticReportTokens(config.smsReportTokens),
  };
  const deliverQueued = async (at: Clock) => {
    const deliveries: DeliveryOutcome[] = [];
    sendingClock = at;
    try {
      for (const message of queue.drain())
        deliveries.push(await deliverNotice(message, { ...deliver, clock: at }));
    } finally {
      sendingClock = clock;
    }
    return deliveries;
  };
  const settlement: IngestSettlementFileDeps = {
    store: settlementStore,
    merchants,
    fileDays: check.fileDays,
    clock,
    metrics,
    acquirerCsv: config.acquirerCsv,
    inputLimits: config.inputLimits,
    // Late payments that have now arrived: one short notice per merchant, sent at once.
    onSettledLate: async (payments, at) => {
      await scheduleArrivedNotices(payments, { ...check, clock: at });
      await deliverQueued(at);
    },
  };
  const merchant: MerchantApiDeps = {
    signIn: new DynamoDbSignInStore(db, config.tableName),
    payments: new DynamoDbMerchantPaymentReader(db, config.tableName),
    merchants,
    sender: outbox,
    hasher: lazyHasher(config.dataDir),
    random: cryptoRandom,
    clock,
    wait: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
    metrics,
    policy: config.merchantPage.signIn,
    smsRouting: config.sms.routing,
    answerFloorMs: config.merchantPage.answerFloorMs,
    log: options.log ?? (() => undefined),
    inputLimits: config.inputLimits,
    acquirers: config.acquirerContacts,
    outstandingDays: config.merchantPage.outstandingDays,
    platformQueries: platformQueries(config.merchantPage.platformCheck, {
      wechatpay: staticCredentials(wechatPayAccounts(config.platformCredentials.wechatpay ?? {})),
      alipay: staticCredentials(alipayAccounts(config.platformCredentials.alipay ?? {})),
    }),
    calendars: ingest.calendars,
    defaultTerms: config.defaultTerms,
  };
  return {
    ingest,
    merchant,
    // Registration refuses a number no configured provider covers, as the operator API does in AWS.
    operator: { ...ingest, settlementFiles: settlementStore, smsRouting: config.sms.routing },
    settlement,
    check,
    calendarCheck,
    deliver,
    smsReports,
    outbox,
    countTableChanges: countChanges,
    async checkAndNotify(at?: Clock) {
      const runClock = at ?? clock;
      const calendars = await runCalendarCheck({ ...calendarCheck, clock: runClock });
      const report = await runOverdueCheck({ ...check, clock: runClock });
      const deliveries: DeliveryOutcome[] = [];
      sendingClock = runClock;
      try {
        for (const message of queue.drain())
          deliveries.push(await deliverNotice(message, { ...deliver, clock: runClock }));
      } finally {
        sendingClock = clock;
      }
      if (!options.tableStream) return { calendars, report, deliveries };
      await countChanges();
      const openPayments = await reportOpenPayments({
        stats: openPaymentStats,
        gauges: { level: () => undefined },
      });
      return { calendars, report, deliveries, openPayments };
    },
  };
}

/** The hasher, its secret read (or made) at the first sign-in, not when simulate builds the services. */
function lazyHasher(dataDir: string): SecretHasher {
  let hasher: HmacSecretHasher | undefined;
  const get = () => {
    hasher ??= new HmacSecretHasher(localSignInSecret(dataDir));
    return hasher;
  };
  return {
    keyedHash: (purpose, value) => get().keyedHash(purpose, value),
    hash: (value) => get().hash(value),
    sameHash: (a, b) => get().sameHash(a, b),
  };
}

/** The data folder's sign-in secret (codes are hashed with it), made on first use; AWS keeps it in Secrets Manager. */
function localSignInSecret(dataDir: string): string {
  const file = join(dataDir, "merchant-page.secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = newSignInSecret();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { encoding: "utf8", mode: 0o600 });
  return secret;
}
