import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { HttpRequest } from "../functions/http/http-types.js";
import { dispatch } from "../functions/http/routes.js";
import { registerMerchant } from "../functions/use-cases/merchants.js";
import type { BusinessMetrics, Clock } from "../functions/use-cases/ports.js";
import { acquireDataDirLock, type DataDirLock, processStart } from "./data-dir-lock.js";
import { localDynamoDbClient, type RunningDynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local.js";
import { type LocalLogger, startHttpServer } from "./http-server.js";
import type { LocalConfig } from "./local-config.js";
import { localRoutes } from "./local-routes.js";
import { type LocalServices, localServices } from "./local-services.js";
import { handleSettlementUpload } from "./settlement-upload.js";
import { ensureTable } from "./table-setup.js";
import { LocalTableStreamReader } from "./table-stream.js";

export interface LocalMonitor {
  url: string;
  dynamoDbEndpoint: string;
  services: LocalServices;
  deps: LocalServices["ingest"];
  stop(): Promise<void>;
}

export interface LocalMonitorOptions {
  /** Use a DynamoDB Local that is already running (tests) instead of starting one. */
  dynamoDbEndpoint?: string;
  clock?: Clock;
  metrics?: BusinessMetrics;
  logger?: LocalLogger;
  /** Run the overdue check on a timer (config.checkIntervalSeconds). Default false. */
  runChecks?: boolean;
  print?: (line: string) => void;
}

/** The demo merchant of a first run: signs in on /m/ with its number, the code lands in the outbox. */
export const DEMO_MERCHANT = {
  merchantId: "demo-merchant",
  name: "演示饺子馆 Demo Dumplings",
  timeZone: "Asia/Shanghai",
  calendar: "CN",
  settlement: { cycle: "T+1", cutoff: "23:00", arrivalBy: "18:00", graceMinutes: 60, feeRate: "0.006" },
  contact: { phone: "+8613800138000", language: "zh-CN", channels: ["sms"] },
} as const;

/** Registers the demo merchant unless a profile of that id exists (an edited one is kept). */
async function ensureDemoMerchant(services: LocalServices): Promise<void> {
  if (await services.operator.merchants.get(DEMO_MERCHANT.merchantId)) return;
  await registerMerchant(DEMO_MERCHANT.merchantId, DEMO_MERCHANT, services.operator);
}

export const quietLogger: LocalLogger = { info: () => undefined, error: () => undefined };

/**
 * Takes the data folder's lock, then starts DynamoDB Local on its database file: one owner per
 * data folder, so never two DynamoDB Local processes on one file.
 */
async function openDataDir(
  dataDir: string,
): Promise<{ endpoint: string; dynamo: RunningDynamoDbLocal; lock: DataDirLock }> {
  const lock = acquireDataDirLock(dataDir);
  try {
    const dynamo = await startDynamoDbLocal({ dataDir: join(dataDir, "dynamodb") });
    const dynamoDbStart = processStart(dynamo.pid);
    lock.update({
      dynamoDbEndpoint: dynamo.endpoint,
      dynamoDbPid: dynamo.pid,
      ...(dynamoDbStart ? { dynamoDbStart } : {}),
    });
    return { endpoint: dynamo.endpoint, dynamo, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * The whole monitor on one machine: DynamoDB Local, the table, the same use cases as in AWS, an
 * HTTP API, and the overdue check on a timer with notices printed and written to an outbox file.
 */
export async function startLocalMonitor(
  config: LocalConfig,
  options: LocalMonitorOptions = {},
): Promise<LocalMonitor> {
  const { endpoint, dynamo, lock } = options.dynamoDbEndpoint
    ? { endpoint: options.dynamoDbEndpoint, dynamo: undefined, lock: undefined }
    : await openDataDir(config.dataDir);
  const client = localDynamoDbClient(endpoint);
  const logger = options.logger ?? quietLogger;
  let tableStream: LocalTableStreamReader | undefined;
  try {
    await ensureTable(client, config.tableName);
    tableStream = new LocalTableStreamReader(client, config.tableName, endpoint);
    const services = localServices(client, config, {
      tableStream,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.print ? { print: options.print } : {}),
      log: (message, fields) => logger.info(message, fields),
      // `check --as-of` runs checks before "now"; DynamoDB Local's index does not lag.
      timeTravel: true,
    });
    if (config.usingDemoSecrets && config.demoMerchant) await ensureDemoMerchant(services);
    const runCheck = async (asOf?: Date) => {
      const clock = asOf ? { now: () => new Date(asOf.getTime()) } : undefined;
      const result = await services.checkAndNotify(clock);
      logger.info("overdue check", { ...result.report, deliveries: result.deliveries });
      return result;
    };
    const routes = localRoutes(services, runCheck, config.inputLimits, {
      merchantPage: config.merchantPage.enabled,
    });
    const route = (request: HttpRequest) => dispatch(request, routes);
    const inboxDir = join(config.dataDir, "inbox");
    const streamRoute = (incoming: IncomingMessage, url: URL) =>
      incoming.method === "POST" && url.pathname === "/v1/settlement-files"
        ? handleSettlementUpload(incoming, url, inboxDir, services.settlement)
        : undefined;
    const http = await startHttpServer({ host: config.host, port: config.port, route, streamRoute, logger });
    lock?.update({ url: http.url });
    let timer: NodeJS.Timeout | undefined;
    if (options.runChecks) {
      timer = setInterval(() => {
        runCheck().catch((error: unknown) => logger.error("overdue check failed", { error }));
      }, config.checkIntervalSeconds * 1000);
    }
    return {
      url: http.url,
      dynamoDbEndpoint: endpoint,
      services,
      deps: services.ingest,
      stop: async () => {
        if (timer) clearInterval(timer);
        await http.stop();
        tableStream?.close();
        client.destroy();
        await dynamo?.stop();
        lock?.release();
      },
    };
  } catch (error) {
    tableStream?.close();
    client.destroy();
    await dynamo?.stop();
    lock?.release();
    throw error;
  }
}
