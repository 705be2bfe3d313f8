import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

/**
 * Sends a conditional write: true when it was made, false when its condition did not hold (the
 * item changed or was there already); any other failure is thrown.
 */
export async function sendIfCondition(
  db: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> {
  try {
    // The client's generic send does not take a union of commands; each member is one it sends.
    await db.send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
