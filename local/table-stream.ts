import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./dynamodb-local.js";

/**
 * Reads the table's change stream on DynamoDB Local, what Lambda's event source mapping does in
 * AWS: every shard from its oldest record, then only what is new on each call.
 */
export class LocalTableStreamReader {
  private readonly streams: DynamoDBStreamsClient;
  /** Next iterator per shard; null once a closed shard is read to its end. */
  private readonly iterators = new Map<string, string | null>();
  private streamArn: string | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    endpoint: string,
  ) {
    this.streams = new DynamoDBStreamsClient({
      endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  }

  /** Records written since the last call (all of them on the first call), in shard order. */
  async readNew(): Promise<_Record[]> {
    this.streamArn ??= await this.latestStreamArn();
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: this.streamArn }),
    );
    const records: _Record[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId) continue;
      let iterator = this.iterators.get(shardId);
      if (iterator === null) continue;
      iterator ??= (
        await this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ShardIteratorType: "TRIM_HORIZON",
          }),
        )
      ).ShardIterator;
      while (iterator) {
        const page: GetRecordsCommandOutput = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
        );
        records.push(...(page.Records ?? []));
        iterator = page.NextShardIterator;
        if (!page.Records?.length) break;
      }
      this.iterators.set(shardId, iterator ?? null);
    }
    return records;
  }

  close(): void {
    this.streams.destroy();
  }

  private async latestStreamArn(): Promise<string> {
    const { Table } = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
    const arn = Table?.LatestStreamArn;
    if (!arn)
      throw new Error(`table ${this.tableName} has no stream: it must be created with table-setup.ts`);
    return arn;
  }
}
