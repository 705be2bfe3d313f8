import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

export interface CapacityMeter {
  read: number;
  write: number;
  requests: number;
  reset(): void;
}

/**
 * Asks DynamoDB for the capacity each request consumed and adds it up, split into read and write
 * by operation, so a benchmark can print what a run would cost in RCU/WCU.
 */
export function meterCapacity(client: DynamoDBClient): CapacityMeter {
  const meter: CapacityMeter = {
    read: 0,
    write: 0,
    requests: 0,
    reset() {
      meter.read = 0;
      meter.write = 0;
      meter.requests = 0;
    },
  };
  const readOps = new Set(["GetItemCommand", "BatchGetItemCommand", "QueryCommand", "ScanCommand"]);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: unknown };
      const entries = Array.isArray(output.ConsumedCapacity)
        ? output.ConsumedCapacity
        : output.ConsumedCapacity
          ? [output.ConsumedCapacity]
          : [];
      const units = entries.reduce(
        (sum: number, entry) => sum + Number((entry as { CapacityUnits?: number }).CapacityUnits ?? 0),
        0,
      );
      meter.requests += 1;
      if (readOps.has(String(context.commandName))) meter.read += units;
      else meter.write += units;
      return result;
    },
    { step: "initialize", name: "settlewatchCapacityMeter" },
  );
  return meter;
}
