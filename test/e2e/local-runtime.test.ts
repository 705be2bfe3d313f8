import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type DataDirHolder, processAlive } from "../../local/data-dir-lock.js";
import { TEST_ACQUIRER } from "../support/confirmations.js";
import { CSV_HEADER, TEST_CSV_COLUMNS } from "../support/settlement.js";

// Real processes, as an operator runs them: `settlewatch serve` (what `npm start` runs) in its own
// folder, with its own DynamoDB Local on the folder's data, killed and restarted. Each start is a
// JVM and a tsx compile: slow on a loaded machine, hence the long timeouts.
const run = promisify(execFile);
const CLI = resolve("bin/settlewatch.js");

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

// The environment an operator's shell has: no telemetry setting of its own (the test run's may have one).
const { DDB_LOCAL_TELEMETRY: _telemetry, ...operatorEnv } = process.env;

async function serve(cwd: string): Promise<Served> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
    cwd,
    stdio: "pipe",
    env: operatorEnv,
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  let output = "";
  const url = await new Promise<string>((found, failed) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) found(match[1]);
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    exited.then((code) => failed(new Error(`serve exited with ${code}: ${output}`)));
  });
  return { child, url, exited };
}

async function cli(cwd: string, args: string[]) {
  return await run(process.execPath, [CLI, ...args], { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - start;
}

describe("the local runtime owns its processes (one owner per data folder)", () => {
  const cwd = mkdtempSync(join(tmpdir(), "settlewatch-runtime-"));
  const lockFile = join(cwd, ".settlewatch", "monitor.lock");
  const lock = () => JSON.parse(readFileSync(lockFile, "utf8")) as DataDirHolder;
  writeFileSync(
    join(cwd, "settlewatch.local.json"),
    JSON.stringify({
      acquirerCsv: [
        {
          acquirer: TEST_ACQUIRER,
          columns: TEST_CSV_COLUMNS,
          kindValues: { PAY: "payment", REFUND: "refund" },
        },
      ],
    }),
  );
  const settlementFile = (reference: string) => {
    const file = join(cwd, `${reference}.csv`);
    writeFileSync(file, `${CSV_HEADER}\n${reference},,m-1,1.00,0.01,0.99,CNY,2026-10-08,PAY\n`);
    return file;
  };
  const started: Served[] = [];
  afterAll(() => {
    for (const { child } of started) child.kill("SIGKILL");
  });

  it("a second start on the same data folder exits non-zero naming the holder; ingest uses the running monitor", async () => {
    const first = await serve(cwd);
    started.push(first);
    const holder = lock();
    expect(holder).toMatchObject({ pid: first.child.pid, url: first.url });
    expect(processAlive(holder.dynamoDbPid as number)).toBe(true);
    // Its DynamoDB Local sends no usage telemetry to AWS.
    const javaEnv = readFileSync(`/proc/${holder.dynamoDbPid}/environ`, "utf8").split("\0");
    expect(javaEnv).toContain("DDB_LOCAL_TELEMETRY=0");

    const second = await cli(cwd, ["serve", "--port", "0"]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `data folder ${join(cwd, ".settlewatch")} is held by pid ${first.child.pid} serving ${first.url}`,
    );
    expect(lock()).toEqual(holder);

    // No --url: the CLI finds the monitor through the lock (it listens on a random port, not 8787).
    const ingest = await cli(cwd, ["ingest", settlementFile("r1"), "--acquirer", TEST_ACQUIRER]);
    expect(ingest.stderr).not.toContain("opening the local data");
    expect(ingest.code).toBe(0);
    const { file } = JSON.parse(ingest.stdout) as { file: { fileId: string } };
    const report = await fetch(`${first.url}/v1/settlement-files/${file.fileId}`);
    expect(report.status).toBe(200);
    expect(lock()).toEqual(holder);
  }, 300_000);

  it("kill -9 of the monitor takes DynamoDB Local with it; the lock is then reclaimable", async () => {
    const [first] = started;
    if (!first) throw new Error("the first test starts the monitor");
    const javaPid = lock().dynamoDbPid as number;
    first.child.kill("SIGKILL");
    await first.exited;
    const tookMs = await until(() => !processAlive(javaPid), 5_000);
    expect(tookMs).toBeLessThan(5_000);
    expect(existsSync(lockFile)).toBe(true); // left behind, but its process is gone

    // No monitor: ingest opens the data folder itself (taking and releasing the lock).
    const ingest = await cli(cwd, ["ingest", settlementFile("r2"), "--acquirer", TEST_ACQUIRER]);
    expect(ingest.stderr).toContain(`opening the local data in ${join(cwd, ".settlewatch")} directly`);
    expect(ingest.code).toBe(0);
    const direct = JSON.parse(ingest.stdout) as { file: { fileId: string; counts: { read: number } } };
    expect(direct.file.counts.read).toBe(1);
    expect(existsSync(lockFile)).toBe(false);

    const next = await serve(cwd);
    started.push(next);
    expect(lock()).toMatchObject({ pid: next.child.pid, url: next.url });
    // The file ingested directly is in the data the new monitor serves.
    expect((await fetch(`${next.url}/v1/settlement-files/${direct.file.fileId}`)).status).toBe(200);
    const check = await cli(cwd, ["check", "--as-of", "2026-10-01T00:00:00Z"]);
    expect(check.code).toBe(0);
    expect(check.stderr).not.toContain("opening the local data");
    const nextJava = lock().dynamoDbPid as number;
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
    expect(processAlive(nextJava)).toBe(false);
  }, 400_000);
});
