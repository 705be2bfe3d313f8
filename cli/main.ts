import { runCli } from "./program.js";

const run = await runCli(process.argv);
// A command that stopped on an error may leave a server or a JVM behind: exit at once, as before.
if (run.stopped) process.exit(run.exitCode);
process.exitCode = run.exitCode;
