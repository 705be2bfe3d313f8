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
  /** Per shard, the sequence number of the last record consumed; null once a closed shard is consumed to its end. */
  private readonly positions = new Map<string, string | null>();
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
    return await this.consume(async (records) => records);
  }

  /**
   * Hands the records written since the last successful call to `handle`, and moves past them only
   * when it succeeds: a failing consumer gets the same records again next time (retried, never
   * skipped), as Lambda's event source does with a failing batch.
   */
  async consume<T>(handle: (records: _Record[]) => Promise<T>): Promise<T> {
    this.streamArn ??= await this.latestStreamArn();
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: this.streamArn }),
    );
    const records: _Record[] = [];
    const reached = new Map<string, string | null | undefined>();
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      const position = shardId ? this.positions.get(shardId) : null;
      if (!shardId || position === null) continue;
      const read = await this.readShard(shardId, position);
      records.push(...read.records);
      reached.set(shardId, read.closed ? null : (read.records.at(-1)?.dynamodb?.SequenceNumber ?? position));
    }
    const result = await handle(records);
    for (const [shardId, position] of reached)
      if (position !== undefined) this.positions.set(shardId, position);
    return result;
  }

  /**
   * Like `consume`, one shard at a time, as Lambda hands a stream over (a batch never mixes
   * shards): `handle` gets each shard's new records with the shard's id, and the reader moves past
   * a shard's records only when its `handle` succeeds.
   */
  async consumeByShard<T>(handle: (shardId: string, records: _Record[]) => Promise<T>): Promise<T[]> {
    this.streamArn ??= await this.latestStreamArn();
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: this.streamArn }),
    );
    const results: T[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      const position = shardId ? this.positions.get(shardId) : null;
      if (!shardId || position === null) continue;
      const read = await this.readShard(shardId, position);
      if (read.records.length > 0) results.push(await handle(shardId, read.records));
      const reached = read.closed ? null : (read.records.at(-1)?.dynamodb?.SequenceNumber ?? position);
      if (reached !== undefined) this.positions.set(shardId, reached);
    }
    return results;
  }

  private async readShard(
    shardId: string,
    after: string | undefined,
  ): Promise<{ records: _Record[]; closed: boolean }> {
    let iterator = (
      await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: shardId,
          ...(after
            ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: after }
            : { ShardIteratorType: "TRIM_HORIZON" }),
        }),
      )
    ).ShardIterator;
    const records: _Record[] = [];
    while (iterator) {
      const page: GetRecordsCommandOutput = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
      );
      records.push(...(page.Records ?? []));
      iterator = page.NextShardIterator;
      if (!page.Records?.length) break;
    }
    return { records, closed: !iterator };
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
