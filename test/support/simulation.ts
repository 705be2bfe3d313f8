import { inject } from "vitest";
import { loadLocalConfig } from "../../local/local-config.js";
import { type SimulationInput, type SimulationOutput, simulate } from "../../local/simulate.js";

/**
 * `settlewatch simulate` in this process, on the suite's DynamoDB Local (a fresh table) instead of
 * a DynamoDB Local of its own: the same function the command calls, without a JVM and a CLI start
 * per run. test/e2e/simulate.test.ts keeps running the command itself as a process.
 */
export async function simulateInProcess(
  input: Partial<SimulationInput> & Pick<SimulationInput, "merchantsFile" | "confirmationsFile" | "asOf">,
  options: { configFile?: string } = {},
): Promise<SimulationOutput> {
  const config = loadLocalConfig(options.configFile ? { configFile: options.configFile } : {});
  return await simulate({ settlementFiles: [], ...input }, config, {
    dynamoDbEndpoint: inject("dynamoDbEndpoint"),
  });
}
