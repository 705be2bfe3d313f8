import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type { SmsProviderId } from "../../../functions/domain/notification/sms-providers.js";
import type { SmsMetricName } from "../../../functions/use-cases/ports.js";
import type { Deployment } from "../../config/deployment-schema.js";
import { deliveryReportSettings, usedSmsProviders } from "../../config/sms-deployment.js";
import type { AlarmDefinition } from "./alarm-definitions.js";
import { BUSINESS_METRIC_NAMESPACE, BUSINESS_METRIC_SERVICE } from "./metric-factory.js";

/** The SMS metrics' dimension names, as EmfSmsMetrics emits them (Powertools adds service and deployment). */
export const SMS_METRIC_DIMENSIONS = ["service", "deployment", "provider"] as const;

/** One provider's series of an SMS count (sum per period). */
export function smsMetric(
  deployment: string,
  name: SmsMetricName,
  provider: SmsProviderId,
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: BUSINESS_METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: BUSINESS_METRIC_SERVICE, deployment, provider },
    statistic: cloudwatch.Stats.SUM,
    period,
    label: `${provider} ${name}`,
  });
}

/**
 * delivered / (delivered + failed) of one provider per period; 1 (nothing to say) while fewer than
 * `minReports` reports came in, so a quiet night of two texts, one failed, is not an alarm.
 */
export function deliveryRate(
  deployment: string,
  provider: SmsProviderId,
  settings: { periodMinutes: number; minReports: number },
): cloudwatch.MathExpression {
  const period = Duration.minutes(settings.periodMinutes);
  const d = "FILL(delivered, 0)";
  const f = "FILL(failed, 0)";
  return new cloudwatch.MathExpression({
    expression: `IF(${d} + ${f} >= ${settings.minReports}, ${d} / (${d} + ${f}), 1)`,
    usingMetrics: {
      delivered: smsMetric(deployment, "SmsDelivered", provider, period),
      failed: smsMetric(deployment, "SmsFailed", provider, period),
    },
    period,
    label: `${provider} delivery rate`,
  });
}

/**
 * One delivery-rate alarm per provider the deployment sends through, against
 * `sms.deliveryReports.rateFloor` (created with every other alarm by SettlewatchMonitoring).
 */
export function smsDeliveryAlarms(deployment: Deployment): AlarmDefinition[] {
  const settings = deliveryReportSettings(deployment.sms);
  return usedSmsProviders(deployment.region, deployment.sms).map((provider) => ({
    id: `SmsDeliveryRateAlarm-${provider}`,
    description: `settlewatch ${deployment.name}: fewer than ${settings.rateFloor * 100}% of the texts ${provider} reported on in ${settings.periodMinutes} min were delivered (at least ${settings.minReports} reports). Failed texts fall back to email where the merchant has one. See docs/operations.md (SmsDeliveryRateAlarm).`,
    metric: deliveryRate(deployment.name, provider, settings),
    comparison: "<" as const,
    threshold: settings.rateFloor,
  }));
}

/** The SMS rows of the dashboard, one per provider: sent / delivered / failed, and the delivery rate. */
export function smsDeliveryWidgets(deployment: Deployment): cloudwatch.IWidget[][] {
  const settings = deliveryReportSettings(deployment.sms);
  const fiveMinutes = Duration.minutes(5);
  return usedSmsProviders(deployment.region, deployment.sms).map((provider) => [
    new cloudwatch.GraphWidget({
      title: `SMS via ${provider}: sent, delivered, failed (per 5 min)`,
      left: (["SmsSent", "SmsDelivered", "SmsFailed"] as const).map((name) =>
        smsMetric(deployment.name, name, provider, fiveMinutes),
      ),
      width: 8,
      height: 6,
      legendPosition: cloudwatch.LegendPosition.BOTTOM,
    }),
    new cloudwatch.GraphWidget({
      title: `SMS via ${provider}: delivery rate (floor ${settings.rateFloor})`,
      left: [deliveryRate(deployment.name, provider, settings)],
      leftYAxis: { min: 0, max: 1 },
      leftAnnotations: [{ value: settings.rateFloor, label: "alarm floor" }],
      width: 8,
      height: 6,
      legendPosition: cloudwatch.LegendPosition.BOTTOM,
    }),
  ]);
}
