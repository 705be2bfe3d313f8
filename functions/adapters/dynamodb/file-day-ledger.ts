import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Clock, FileDayLedger } from "../../use-cases/ports.js";
import { systemClock } from "../clock/system-clock.js";
import { keys } from "./table-keys.js";

/** Days whose settlement file arrived, per acquirer: one small item per acquirer and day. */
export class DynamoDbFileDayLedger implements FileDayLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async latestFileDay(acquirer: string): Promise<string | undefined> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.fileDay(acquirer, "").pk },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const day = Items?.[0]?.sk;
    return typeof day === "string" ? day : undefined;
  }

  async recordFileDay(acquirer: string, day: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.fileDay(acquirer, day),
          entity: "file-day",
          acquirer,
          day,
          recordedAt: this.clock.now().toISOString(),
        },
      }),
    );
  }
}
