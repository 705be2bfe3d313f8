import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { ItemChange } from "../../domain/stats/open-payment-stats.js";

/**
 * A DynamoDB stream record as both Lambda's event and the Streams API's GetRecords give it (the
 * images in DynamoDB JSON). Structural, so either type fits.
 */
export interface StreamRecordLike {
  eventID?: string | undefined;
  dynamodb?:
    | {
        SequenceNumber?: string | undefined;
        OldImage?: Record<string, unknown> | undefined;
        NewImage?: Record<string, unknown> | undefined;
      }
    | undefined;
}

const image = (raw: Record<string, unknown> | undefined) =>
  raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;

/** The record's change, its images unmarshalled; a record without an id cannot be counted once, so it is refused. */
export function changeOfStreamRecord(record: StreamRecordLike): ItemChange {
  const changeId = record.eventID ?? record.dynamodb?.SequenceNumber;
  if (!changeId) throw new Error("stream record without eventID or SequenceNumber");
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  return {
    changeId,
    ...(sequenceNumber ? { sequenceNumber } : {}),
    oldImage: image(record.dynamodb?.OldImage),
    newImage: image(record.dynamodb?.NewImage),
  };
}
