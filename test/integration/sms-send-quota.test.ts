import { describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/document-client.js";
import { DynamoDbSmsSendQuota } from "../../functions/adapters/dynamodb/sms-send-quota.js";
import { quotaWindows } from "../../functions/domain/notification/sms-pacing.js";
import { localDynamoDbClient } from "../../local/dynamodb-local.js";
import { createTestTable } from "../support/dynamodb.js";

describe("per-number SMS counters on DynamoDB Local", () => {
  it("notifiers in separate containers (own clients) racing for one number never take more than the cap", async () => {
    const table = await createTestTable();
    // Three "containers": each its own DynamoDB client and quota adapter.
    const containers = Array.from(
      { length: 3 },
      () => new DynamoDbSmsSendQuota(documentClient(localDynamoDbClient(table.endpoint)), table.tableName),
    );
    const windows = quotaWindows(new Date("2026-10-08T12:00:10Z"), { perMinute: 3, perHour: 4 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => containers[i % 3]?.take("aliyun", "+8613800138000", windows)),
    );
    expect(results.filter((full) => full?.length === 0)).toHaveLength(3);
    const refused = results.filter((full) => (full?.length ?? 0) > 0);
    expect(refused).toHaveLength(9);
    for (const full of refused) expect(full?.map((w) => w.window)).toEqual(["minute"]);

    // The next minute: the hour allows one more, then the hour is full too.
    const later = quotaWindows(new Date("2026-10-08T12:01:10Z"), { perMinute: 3, perHour: 4 });
    expect(await containers[0]?.take("aliyun", "+8613800138000", later)).toEqual([]);
    expect((await containers[1]?.take("aliyun", "+8613800138000", later))?.map((w) => w.window)).toEqual([
      "hour",
    ]);
    // Another number and another provider count apart.
    expect(await containers[2]?.take("aliyun", "+8613900000000", later)).toEqual([]);
    expect(await containers[2]?.take("tencent", "+8613800138000", later)).toEqual([]);
    // Given back: the slot is free again (the hour's count too).
    await containers[0]?.giveBack("aliyun", "+8613800138000", later);
    expect(await containers[1]?.take("aliyun", "+8613800138000", later)).toEqual([]);
  });
});
