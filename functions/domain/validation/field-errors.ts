import type * as z from "zod";

export interface FieldError {
  /** Dotted path of the offending field, e.g. "amountMinor" or "confirmations[3].currency". */
  field: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Renders zod's issue paths the way an API user writes them ("contact.phone", "[2].currency"). */
export function toFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix = "",
): FieldError[] {
  return issues.map((issue) => {
    let field = prefix;
    for (const segment of issue.path) {
      field +=
        typeof segment === "number" ? `[${segment}]` : field === "" ? String(segment) : `.${String(segment)}`;
    }
    const message =
      issue.code === "invalid_type" && valueAt(input, issue.path) === undefined
        ? "is required"
        : issue.code === "unrecognized_keys"
          ? `unknown field(s): ${issue.keys.join(", ")}`
          : issue.message;
    return { field: field || "(body)", message };
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
