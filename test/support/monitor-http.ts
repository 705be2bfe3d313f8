import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalConfig, loadLocalConfig } from "../../local/local-config.js";
import { startLocalMonitor } from "../../local/monitor.js";
import { signed, TEST_ACQUIRER, TEST_SECRET } from "./confirmations.js";

export interface MonitorAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * JSON requests to a running local monitor, and confirmations signed with the test acquirer's
 * secret, as an acquirer would send them. `url` is read on each call (the monitor starts in beforeAll).
 */
export function monitorHttp(url: () => string) {
  const http = async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<MonitorAnswer> => {
    const response = await fetch(`${url()}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const postSigned = (payload: unknown, at = new Date()) => {
    const body = JSON.stringify(payload);
    return http("POST", "/v1/confirmations", body, { "settlewatch-signature": signed(body, at) });
  };
  return { http, postSigned };
}

/**
 * A local monitor on the suite's DynamoDB Local with its own table, a free port, and the test
 * acquirer's webhook secret; stop it in afterAll.
 */
export async function startTestMonitor(options: {
  tablePrefix: string;
  dynamoDbEndpoint: string;
  /** SMS routing and provider settings of the local config (default: SNS everywhere). */
  sms?: LocalConfig["sms"];
}) {
  const cwd = mkdtempSync(join(tmpdir(), `settlewatch-${options.tablePrefix}-`));
  const config = loadLocalConfig({
    cwd,
    env: {
      SETTLEWATCH_WEBHOOK_SECRETS: JSON.stringify({ [TEST_ACQUIRER]: [TEST_SECRET] }),
      SETTLEWATCH_PORT: "0",
    },
  });
  config.tableName = `${options.tablePrefix}-${Date.now()}`;
  if (options.sms) config.sms = options.sms;
  const monitor = await startLocalMonitor(config, { dynamoDbEndpoint: options.dynamoDbEndpoint });
  // Its data folder (outbox, inbox) goes with it.
  const stop = monitor.stop.bind(monitor);
  monitor.stop = async () => {
    await stop();
    rmSync(cwd, { recursive: true, force: true });
  };
  return monitor;
}
