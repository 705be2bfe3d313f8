import { DataDirLockedError, dataDirHolder } from "../local/data-dir-lock.js";
import { loadLocalConfig } from "../local/local-config.js";

/** Talks to a running monitor's HTTP API (the local one by default). */
export const DEFAULT_URL = "http://127.0.0.1:8787";

export interface MonitorTarget {
  url: string;
  /** Where the URL came from: only the default may fall back to opening the local data directly. */
  source: "option" | "env" | "lock" | "default";
  /** The monitor process holding the local data folder, when the URL came from its lock. */
  pid?: number;
}

/**
 * `--url`, else $SETTLEWATCH_URL, else the monitor that holds the local data folder (its lock file
 * names its URL, whatever port it was started on), else http://127.0.0.1:8787.
 */
export function findMonitor(option: string | undefined, configFile?: string): MonitorTarget {
  const trim = (url: string) => url.replace(/\/+$/, "");
  if (option) return { url: trim(option), source: "option" };
  if (process.env.SETTLEWATCH_URL) return { url: trim(process.env.SETTLEWATCH_URL), source: "env" };
  let dataDir: string | undefined;
  try {
    dataDir = loadLocalConfig(configFile ? { configFile } : {}).dataDir;
  } catch {
    // No usable local config: no local data folder to look at.
  }
  const holder = dataDir ? dataDirHolder(dataDir) : undefined;
  if (holder && !holder.url) throw new CliError(new DataDirLockedError(dataDir as string, holder).message);
  if (holder?.url) return { url: holder.url, source: "lock", pid: holder.pid };
  return { url: DEFAULT_URL, source: "default" };
}

/** Whether a failed request may fall back to opening the local data directly (no monitor holds it). */
export function mayOpenLocalData(target: MonitorTarget, error: unknown): boolean {
  const unreachable = error instanceof TypeError || error instanceof CliError;
  if (!unreachable) return false;
  if (target.source === "lock") {
    throw new CliError(
      `the monitor (pid ${target.pid}) holding the local data does not answer at ${target.url}; stop it or wait until it is up`,
    );
  }
  return target.source === "default";
}

export function monitorUrl(option: string | undefined): string {
  return findMonitor(option).url;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export async function callApi(
  baseUrl: string,
  request: { method: string; path: string; body?: string; headers?: Record<string, string> },
): Promise<ApiAnswer> {
  const { method, path, body, headers = {} } = request;
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body }),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach the monitor at ${baseUrl} (${(error as Error).cause ?? (error as Error).message}); start it with \`npm start\` or pass --url`,
    );
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

/** An error the CLI reports as one line on stderr, with exit code 2. */
export class CliError extends Error {
  override name = "CliError";
}
