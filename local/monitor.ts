import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { checkAsOf } from "../functions/domain/validation/input-limits.js";
import type { HttpRequest } from "../functions/http/http-types.js";
import { json } from "../functions/http/http-types.js";
import { postConfirmations, routeOperatorRequest } from "../functions/http/routes.js";
import type { BusinessMetrics, Clock } from "../functions/use-cases/ports.js";
import { localDynamoDbClient, type RunningDynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local.js";
import { type LocalLogger, startHttpServer } from "./http-server.js";
import type { LocalConfig } from "./local-config.js";
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

export const quietLogger: LocalLogger = { info: () => undefined, error: () => undefined };

/**
 * The whole monitor on one machine: DynamoDB Local, the table, the same use cases as in AWS, an
 * HTTP API, and the overdue check on a timer with notices printed and written to an outbox file.
 */
export async function startLocalMonitor(
  config: LocalConfig,
  options: LocalMonitorOptions = {},
): Promise<LocalMonitor> {
  let dynamo: RunningDynamoDbLocal | undefined;
  let endpoint = options.dynamoDbEndpoint;
  if (!endpoint) {
    dynamo = await startDynamoDbLocal({ dataDir: join(config.dataDir, "dynamodb") });
    endpoint = dynamo.endpoint;
  }
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
    });
    const runCheck = async (asOf?: Date) => {
      const clock = asOf ? { now: () => new Date(asOf.getTime()) } : undefined;
      const result = await services.checkAndNotify(clock);
      logger.info("overdue check", { ...result.report, deliveries: result.deliveries });
      return result;
    };
    const route = async (request: HttpRequest) => {
      if (request.method.toUpperCase() === "POST" && request.path === "/v1/confirmations") {
        return await postConfirmations(request, services.ingest);
      }
      // Local only (in AWS the EventBridge schedule runs the check): run it now, optionally as of an instant.
      if (request.method.toUpperCase() === "POST" && request.path === "/local/check") {
        const asOf = request.body ? (JSON.parse(request.body) as { asOf?: unknown }).asOf : undefined;
        if (asOf === undefined) return json(200, await runCheck());
        const at = checkAsOf(String(asOf), { now: new Date(), limits: config.inputLimits });
        if (!at.ok)
          return json(400, {
            error: `asOf: ${at.message}`,
            errors: [{ field: "asOf", message: at.message }],
          });
        return json(200, await runCheck(at.value));
      }
      return await routeOperatorRequest(request, services.operator);
    };
    const inboxDir = join(config.dataDir, "inbox");
    const streamRoute = (incoming: IncomingMessage, url: URL) =>
      incoming.method === "POST" && url.pathname === "/v1/settlement-files"
        ? handleSettlementUpload(incoming, url, inboxDir, services.settlement)
        : undefined;
    const http = await startHttpServer({ host: config.host, port: config.port, route, streamRoute, logger });
    let timer: NodeJS.Timeout | undefined;
    if (options.runChecks) {
      timer = setInterval(() => {
        runCheck().catch((error: unknown) => logger.error("overdue check failed", { error: String(error) }));
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
      },
    };
  } catch (error) {
    tableStream?.close();
    client.destroy();
    await dynamo?.stop();
    throw error;
  }
}
