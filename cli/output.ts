import type { ApiAnswer } from "./api-client.js";

/** Prints an API answer as JSON (stdout on success, stderr otherwise); returns whether it succeeded. */
export function printAnswer(answer: ApiAnswer, label?: string): boolean {
  const ok = answer.status >= 200 && answer.status < 300;
  const text = `${label ? `${label}: ` : ""}${answer.status} ${JSON.stringify(answer.body, null, 2)}`;
  if (ok) console.log(text);
  else console.error(text);
  return ok;
}
