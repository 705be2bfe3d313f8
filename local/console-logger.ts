import type { LocalLogger } from "./http-server.js";

/** Errors as JSON: JSON.stringify of an Error is `{}`, which would hide the cause of every 500. */
function withErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    name: value.name,
    message: value.message,
    stack: value.stack,
    ...(value.cause === undefined ? {} : { cause: value.cause }),
  };
}

/** One line per event on stdout (errors on stderr), timestamped, fields as JSON. */
export function consoleLogger(now: () => Date = () => new Date()): LocalLogger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    `${now().toISOString()} ${message} ${JSON.stringify(fields ?? {}, withErrors)}`;
  return {
    info: (message, fields) => console.log(line(message, fields)),
    error: (message, fields) => console.error(line(`ERROR ${message}`, fields)),
  };
}
