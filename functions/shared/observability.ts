import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

/** Logger and metrics are created once per process and shared by every module (Powertools' advice). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "settlewatch" });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Settlewatch",
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "settlewatch",
  defaultDimensions: { deployment: process.env.DEPLOYMENT ?? "local" },
});
