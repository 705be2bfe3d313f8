import { gunzipSync } from "node:zlib";
import type { CloudWatchLogsEvent } from "aws-lambda";

/**
 * The JSON records of a CloudWatch Logs subscription event (base64 gzip of {logEvents: [{message}]}).
 * A message that is not JSON is passed on as a string: the report reader skips and counts it.
 */
export function logRecordsOf(event: CloudWatchLogsEvent): unknown[] {
  const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8")) as {
    messageType?: string;
    logEvents?: Array<{ message?: string }>;
  };
  // CloudWatch Logs checks that it can reach the function with a CONTROL_MESSAGE: nothing to record.
  if (payload.messageType !== "DATA_MESSAGE") return [];
  return (payload.logEvents ?? []).map((logEvent) => {
    try {
      return JSON.parse(logEvent.message ?? "") as unknown;
    } catch {
      return logEvent.message;
    }
  });
}
