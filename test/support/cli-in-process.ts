import { format } from "node:util";
import { vi } from "vitest";
import { runCli } from "../../cli/program.js";

/**
 * `settlewatch <args>` in this process (cli/program.ts, what bin/settlewatch.js runs), its console
 * output captured: for tests of a command's behaviour, not of the process (each `node
 * bin/settlewatch.js` costs a second or more of CPU loading the sources). Commander's own help and
 * usage text goes to the real stdout/stderr; assert on the exit code for those.
 */
export async function settlewatchInProcess(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const spies = [
    vi.spyOn(console, "log").mockImplementation((...parts) => void stdout.push(format(...parts))),
    vi.spyOn(console, "error").mockImplementation((...parts) => void stderr.push(format(...parts))),
  ];
  try {
    const { exitCode } = await runCli(["node", "settlewatch", ...args]);
    return { code: exitCode, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
