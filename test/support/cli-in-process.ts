import { format } from "node:util";
import { vi } from "vitest";
import { runCli } from "../../cli/program.js";

/**
 * `settlewatch <args>` in this process (cli/program.ts, what bin/settlewatch.js runs), its console
 * output captured (console.log/error, and what a command streams with process.stdout.write): for
 * tests of a command's behaviour, not of the process (each `node bin/settlewatch.js` costs a second
 * or more of CPU loading the sources). Commander's own help and usage text goes to the real
 * stdout/stderr; assert on the exit code for those.
 */
export async function settlewatchInProcess(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const spies = [
    vi.spyOn(console, "log").mockImplementation((...parts) => void stdout.push(`${format(...parts)}\n`)),
    vi.spyOn(console, "error").mockImplementation((...parts) => void stderr.push(`${format(...parts)}\n`)),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    }),
  ];
  try {
    const { exitCode } = await runCli(["node", "settlewatch", ...args]);
    return { code: exitCode, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
