import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { DistributedFile, DistributedIngestStarter } from "../../use-cases/settlement-ports.js";

/**
 * Starts the distributed-ingest state machine for a file. The execution is named after the file's
 * sha256, so a re-delivery of the same file does not start a second one.
 */
export class SfnDistributedIngest implements DistributedIngestStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(file: DistributedFile): Promise<"started" | "already-started"> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: file.fileId,
          input: JSON.stringify({ file }),
        }),
      );
      return "started";
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return "already-started";
      throw error;
    }
  }
}
