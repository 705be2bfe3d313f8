/** Talks to a running monitor's HTTP API (the local one by default). */
export const DEFAULT_URL = "http://127.0.0.1:8787";

export function monitorUrl(option: string | undefined): string {
  return (option ?? process.env.SETTLEWATCH_URL ?? DEFAULT_URL).replace(/\/+$/, "");
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
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
