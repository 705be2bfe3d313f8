import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type { BusinessMetricName, GaugeMetricName } from "../../../functions/use-cases/ports.js";

/**
 * Every business metric the dashboard and the alarms use, named once: namespace, metric name and
 * dimensions, as functions/adapters/metrics/emf-business-metrics.ts emits them: Powertools Metrics,
 * one EMF document per acquirer. Powertools adds the `service` dimension (POWERTOOLS_SERVICE_NAME) to
 * the `deployment` default dimension and our `acquirer`, so the dimension set is
 * {service, deployment, acquirer}; a metric asked for with {deployment, acquirer} would be another,
 * empty metric. test/observability runs the real handlers and checks each metric listed here.
 */
export const BUSINESS_METRIC_NAMESPACE = "Settlewatch";
/** POWERTOOLS_SERVICE_NAME of every function (the stacks set it). */
export const BUSINESS_METRIC_SERVICE = "settlewatch";
/** The dimension names of every business metric, in EMF order. */
export const BUSINESS_METRIC_DIMENSIONS = ["service", "deployment", "acquirer"] as const;
/** Amounts are per currency as well: minor units of different currencies never add up. */
export const CURRENCY_METRIC_DIMENSIONS = [...BUSINESS_METRIC_DIMENSIONS, "currency"] as const;
/** The acquirer value the functions use when a count has no acquirer (EmfBusinessMetrics' default). */
export const NO_ACQUIRER = "none";

export interface BusinessMetricSpec {
  readonly label: string;
  /**
   * Also emitted with acquirer "none" (a count the code cannot attribute: a notice to ops, a key
   * outside the layout, a merchant without a contact): the dashboard and alarms add that series.
   */
  readonly alsoWithoutAcquirer: boolean;
  /** Only emitted for acquirers with a settlement-file expectation (held payments, late files). */
  readonly onlyWithSettlementFile?: boolean;
  /**
   * "count" (default): events, summed per period. "level": a gauge the overdue check publishes on
   * every run (open payments now), shown as its maximum per period.
   */
  readonly kind?: "count" | "level";
}

/**
 * The business metrics on the dashboard (per acquirer). Names not listed (ConfirmationsDuplicate,
 * ConfirmationsConflict, NoticesScheduled) are not shown: NoticesScheduled is declared in ports.ts
 * but no code emits it. Amounts per currency are in CURRENCY_BUSINESS_METRICS.
 */
export const DASHBOARD_BUSINESS_METRICS = {
  ConfirmationsAccepted: { label: "Confirmations accepted", alsoWithoutAcquirer: false },
  ConfirmationsRejected: { label: "Confirmations rejected", alsoWithoutAcquirer: false },
  RequestsRejected: { label: "Requests rejected (signature, body)", alsoWithoutAcquirer: false },
  UnregisteredMerchantConfirmations: { label: "Unregistered merchant", alsoWithoutAcquirer: false },
  CalendarNotCovered: { label: "Calendar not covered", alsoWithoutAcquirer: false },
  PaymentsOverdue: { label: "Payments marked overdue", alsoWithoutAcquirer: false },
  PaymentsAwaitingFile: {
    label: "Payments awaiting file",
    alsoWithoutAcquirer: false,
    onlyWithSettlementFile: true,
  },
  SettlementFilesLate: {
    label: "Settlement files late",
    alsoWithoutAcquirer: false,
    onlyWithSettlementFile: true,
  },
  SettlementLinesMatched: { label: "Lines matched", alsoWithoutAcquirer: false },
  SettlementLinesMismatched: { label: "Lines mismatched", alsoWithoutAcquirer: false },
  SettlementLinesUnmatched: { label: "Lines unmatched", alsoWithoutAcquirer: false },
  SettlementLinesRejected: { label: "Lines rejected", alsoWithoutAcquirer: false },
  SettlementFileControlMismatch: { label: "File control totals mismatch", alsoWithoutAcquirer: false },
  SettlementFilesUnreadable: { label: "Files unreadable", alsoWithoutAcquirer: true },
  NoticesSent: { label: "Notices sent", alsoWithoutAcquirer: true },
  NoticesFailed: { label: "Notices failed (retried)", alsoWithoutAcquirer: true },
  MerchantsUnreachable: { label: "Merchants unreachable", alsoWithoutAcquirer: true },
  PaymentsSettledLate: { label: "Payments settled late", alsoWithoutAcquirer: false },
  PaymentsReversed: { label: "Payments reversed (voided)", alsoWithoutAcquirer: false },
  SettlementFilesReceived: { label: "Settlement files received (new days)", alsoWithoutAcquirer: false },
  PendingPayments: { label: "Payments pending (now)", alsoWithoutAcquirer: false, kind: "level" },
  OverduePayments: { label: "Payments overdue (now)", alsoWithoutAcquirer: false, kind: "level" },
} as const satisfies Partial<Record<BusinessMetricName | GaugeMetricName, BusinessMetricSpec>>;

/**
 * Gauges per acquirer and currency: open amounts in minor units (the check publishes them on every
 * run). Currencies are not configured, so the dashboard finds their series with a SEARCH.
 */
export const CURRENCY_BUSINESS_METRICS = {
  OverdueAmountMinor: { label: "Overdue amount (minor units)" },
  PendingAmountMinor: { label: "Pending amount (minor units)" },
} as const satisfies Partial<Record<GaugeMetricName, { label: string }>>;
export type CurrencyBusinessMetric = keyof typeof CURRENCY_BUSINESS_METRICS;
export const CURRENCY_BUSINESS_METRIC_NAMES = Object.keys(
  CURRENCY_BUSINESS_METRICS,
) as CurrencyBusinessMetric[];

/**
 * Metrics that are not a series per acquirer: the calendar check's totals (dimensions service and
 * deployment only) and counts the code only emits with acquirer "none". Each is proven emitted by a
 * test through its handler or use case (named in `emittedIn`).
 */
export const DEPLOYMENT_METRICS = {
  CalendarYearsMissing: {
    label: "calendar years missing",
    dimensions: {},
    kind: "level",
    emittedIn: "test/observability/check-calendars-handler.test.ts",
  },
  SmsCredentialsFailed: {
    label: "SMS credentials failed",
    dimensions: { acquirer: NO_ACQUIRER },
    kind: "count",
    emittedIn: "test/integration/sms-providers.test.ts",
  },
} as const satisfies Record<
  string,
  {
    label: string;
    dimensions: Readonly<Record<string, string>>;
    kind: "count" | "level";
    emittedIn: string;
  }
>;
export type DeploymentMetric = keyof typeof DEPLOYMENT_METRICS;
export const DEPLOYMENT_METRIC_NAMES = Object.keys(DEPLOYMENT_METRICS) as DeploymentMetric[];

/**
 * The calendar check's series per calendar and year (dimensions service, deployment, calendar,
 * year), found with a SEARCH: calendars and years are not configured.
 */
export const CALENDAR_YEAR_METRICS = {
  CalendarYearMissing: { label: "calendar year missing" },
  PaymentsAwaitingCalendar: { label: "payments held for a calendar year" },
} as const;
export type CalendarYearMetric = keyof typeof CALENDAR_YEAR_METRICS;
export const CALENDAR_YEAR_METRIC_NAMES = Object.keys(CALENDAR_YEAR_METRICS) as CalendarYearMetric[];

/** Every business metric name the dashboard and the alarms may use (the factory refuses others). */
export const ALL_MONITORED_METRIC_NAMES = [
  ...(Object.keys(DASHBOARD_BUSINESS_METRICS) as DashboardBusinessMetric[]),
  ...CURRENCY_BUSINESS_METRIC_NAMES,
  ...DEPLOYMENT_METRIC_NAMES,
  ...CALENDAR_YEAR_METRIC_NAMES,
] as const;

export type DashboardBusinessMetric = keyof typeof DASHBOARD_BUSINESS_METRICS;
export const DASHBOARD_BUSINESS_METRIC_NAMES = Object.keys(
  DASHBOARD_BUSINESS_METRICS,
) as DashboardBusinessMetric[];

/**
 * Builds the metrics of one deployment. Business counters are Count sums per period; every metric
 * created is recorded in `used`, so tests can check that nothing outside the list is referenced.
 */
export class SettlewatchMetricFactory {
  readonly used = new Set<string>();

  constructor(
    private readonly deployment: string,
    private readonly acquirers: readonly string[],
    /** The acquirers with a settlement-file expectation. */
    private readonly fileAcquirers: readonly string[],
  ) {}

  /** One acquirer's series of a business metric (sum per period). */
  business(name: DashboardBusinessMetric, acquirer: string, period = Duration.minutes(5)): cloudwatch.Metric {
    this.used.add(name);
    const spec: BusinessMetricSpec = DASHBOARD_BUSINESS_METRICS[name];
    return new cloudwatch.Metric({
      namespace: BUSINESS_METRIC_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: BUSINESS_METRIC_SERVICE, deployment: this.deployment, acquirer },
      statistic: spec.kind === "level" ? cloudwatch.Stats.MAXIMUM : cloudwatch.Stats.SUM,
      period,
      label: acquirer,
    });
  }

  /**
   * Every (acquirer, currency) series of an amount gauge of this deployment, found by a SEARCH on
   * the exact dimension set the functions emit (a series with any other set is not matched).
   */
  perCurrency(name: CurrencyBusinessMetric, period = Duration.minutes(5)): cloudwatch.MathExpression {
    this.used.add(name);
    const schema = [BUSINESS_METRIC_NAMESPACE, ...[...CURRENCY_METRIC_DIMENSIONS].sort()].join(",");
    const query = `MetricName="${name}" service="${BUSINESS_METRIC_SERVICE}" deployment="${this.deployment}"`;
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${schema}} ${query}', 'Maximum', ${period.toSeconds()})`,
      usingMetrics: {},
      period,
      label: "",
    });
  }

  /**
   * A metric of the whole deployment (no acquirer series): maximum of a level, sum of a count.
   * For a graph, add the list's label: `.with({ label: DEPLOYMENT_METRICS[name].label })`.
   */
  deploymentWide(name: DeploymentMetric, period = Duration.minutes(5)): cloudwatch.Metric {
    this.used.add(name);
    const spec = DEPLOYMENT_METRICS[name];
    return new cloudwatch.Metric({
      namespace: BUSINESS_METRIC_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: BUSINESS_METRIC_SERVICE, deployment: this.deployment, ...spec.dimensions },
      statistic: spec.kind === "level" ? cloudwatch.Stats.MAXIMUM : cloudwatch.Stats.SUM,
      period,
      // No label: an alarm on a labelled metric renders as a metric-math alarm (another template).
    });
  }

  /** Every (calendar, year) series of a calendar-check metric of this deployment (SEARCH, maximum). */
  perCalendarYear(name: CalendarYearMetric, period = Duration.hours(1)): cloudwatch.MathExpression {
    this.used.add(name);
    const schema = [BUSINESS_METRIC_NAMESPACE, "calendar", "deployment", "service", "year"].join(",");
    const query = `MetricName="${name}" service="${BUSINESS_METRIC_SERVICE}" deployment="${this.deployment}"`;
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${schema}} ${query}', 'Maximum', ${period.toSeconds()})`,
      usingMetrics: {},
      period,
      label: "",
    });
  }

  /** The acquirers a metric is shown for: the configured ones, plus "none" where the code emits it. */
  acquirersOf(name: DashboardBusinessMetric): string[] {
    const spec: BusinessMetricSpec = DASHBOARD_BUSINESS_METRICS[name];
    const acquirers = spec.onlyWithSettlementFile ? this.fileAcquirers : this.acquirers;
    return spec.alsoWithoutAcquirer ? [...acquirers, NO_ACQUIRER] : [...acquirers];
  }

  /** One series per acquirer of `acquirersOf(name)`. */
  perAcquirer(name: DashboardBusinessMetric, period = Duration.minutes(5)): cloudwatch.Metric[] {
    return this.acquirersOf(name).map((acquirer) => this.business(name, acquirer, period));
  }

  /** The sum over every acquirer series, gaps as 0 (for alarms on "any acquirer"). At most 10 series. */
  total(name: DashboardBusinessMetric, period = Duration.minutes(5)): cloudwatch.MathExpression {
    const series = this.perAcquirer(name, period);
    if (series.length === 0) throw new Error(`${name}: no acquirer emits it in this deployment`);
    if (series.length > 10)
      throw new Error(`${name}: an alarm takes at most 10 metrics, got ${series.length}`);
    const usingMetrics = Object.fromEntries(series.map((metric, index) => [`m${index}`, metric]));
    return new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics)
        .map((id) => `FILL(${id}, 0)`)
        .join(" + "),
      usingMetrics,
      period,
      label: `${DASHBOARD_BUSINESS_METRICS[name].label} (all)`,
    });
  }
}
