import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { OverridableCalendarProvider } from "../functions/adapters/calendars/calendar-provider.js";
import { documentClient } from "../functions/adapters/dynamodb/document-client.js";
import { DynamoDbMerchantRepository } from "../functions/adapters/dynamodb/merchant-repository.js";
import { DynamoDbPaymentRepository } from "../functions/adapters/dynamodb/payment-repository.js";
import { StaticWebhookSecretStore } from "../functions/adapters/secrets/static-webhook-secrets.js";
import type { HttpRequest } from "../functions/http/http-types.js";
import { postConfirmations, routeOperatorRequest } from "../functions/http/routes.js";
import type { IngestConfirmationsDeps } from "../functions/use-cases/ingest-confirmations.js";
import { type BusinessMetrics, type Clock, noMetrics, systemClock } from "../functions/use-cases/ports.js";
import { localDynamoDbClient, type RunningDynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local.js";
import { type LocalLogger, startHttpServer } from "./http-server.js";
import type { LocalConfig } from "./local-config.js";
import { ensureTable } from "./table-setup.js";

export interface LocalMonitor {
  url: string;
  dynamoDbEndpoint: string;
  deps: IngestConfirmationsDeps;
  stop(): Promise<void>;
}

export interface LocalMonitorOptions {
  /** Use a DynamoDB Local that is already running (tests) instead of starting one. */
  dynamoDbEndpoint?: string;
  clock?: Clock;
  metrics?: BusinessMetrics;
  logger?: LocalLogger;
}

export const quietLogger: LocalLogger = { info: () => undefined, error: () => undefined };

/** The whole monitor on one machine: DynamoDB Local, the table, the same use cases, an HTTP API. */
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
  try {
    await ensureTable(client, config.tableName);
    const db = documentClient(client);
    const overridesFile = config.calendarOverridesFile;
    const deps: IngestConfirmationsDeps = {
      payments: new DynamoDbPaymentRepository(db, config.tableName, config.dueShards),
      merchants: new DynamoDbMerchantRepository(db, config.tableName),
      secrets: new StaticWebhookSecretStore(config.webhookSecrets),
      calendars: new OverridableCalendarProvider(async () =>
        overridesFile ? JSON.parse(await readFile(overridesFile, "utf8")) : undefined,
      ),
      clock: options.clock ?? systemClock,
      metrics: options.metrics ?? noMetrics,
      defaultTerms: config.defaultTerms,
    };
    const route = (request: HttpRequest) =>
      request.method.toUpperCase() === "POST" && request.path === "/v1/confirmations"
        ? postConfirmations(request, deps)
        : routeOperatorRequest(request, deps);
    const http = await startHttpServer({
      host: config.host,
      port: config.port,
      route,
      logger: options.logger ?? quietLogger,
    });
    return {
      url: http.url,
      dynamoDbEndpoint: endpoint,
      deps,
      stop: async () => {
        await http.stop();
        client.destroy();
        await dynamo?.stop();
      },
    };
  } catch (error) {
    client.destroy();
    await dynamo?.stop();
    throw error;
  }
}
