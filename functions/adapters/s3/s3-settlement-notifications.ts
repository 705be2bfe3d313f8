import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import type { InputLimits } from "../../domain/validation/input-limits.js";
import type { ReceivedSettlementObject } from "../../use-cases/settlement-file/receive-settlement-object.js";
import { openObject, parseSettlementObjectKey, SettlementKeyError, sha256Of } from "./s3-settlement-files.js";

/**
 * The settlement objects of one S3 "object created" notification (an SQS message body): each
 * with its place, identity (the sha256 of its bytes) and a way to read it; a key outside the
 * layout comes out as such (a retry cannot fix it). S3's test event holds none.
 */
export async function* settlementObjectsOf(
  body: string,
  options: { s3: S3Client; limits?: InputLimits | undefined },
): AsyncGenerator<ReceivedSettlementObject> {
  const event = JSON.parse(body) as Partial<S3Event> & { Event?: string };
  if (event.Event === "s3:TestEvent") return;
  for (const notification of event.Records ?? []) {
    const { bucket, object } = notification.s3;
    let where: ReturnType<typeof parseSettlementObjectKey>;
    try {
      where = parseSettlementObjectKey(object.key, { limits: options.limits });
    } catch (error) {
      if (!(error instanceof SettlementKeyError)) throw error;
      yield { kind: "outside-layout", key: object.key, reason: error.message };
      continue;
    }
    const key = decodeURIComponent(object.key.replace(/\+/g, " "));
    const open = openObject(options.s3, bucket.name, key, object.versionId);
    const file = {
      bucket: bucket.name,
      key,
      versionId: object.versionId,
      fileId: await sha256Of(open()),
      acquirer: where.acquirer,
      fileName: where.fileName,
      fileDay: where.fileDay,
      size: object.size,
    };
    yield { kind: "object", file, open, rawKey: object.key };
  }
}
