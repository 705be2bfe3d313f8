import { getParameter } from "@aws-lambda-powertools/parameters/ssm";
import type { CalendarOverridesSource } from "./calendar-provider.js";

/**
 * Calendar overrides kept as JSON in an SSM parameter. No parameter name, or a parameter that does
 * not exist (yet), means the bundled calendars alone; any other failure (bad JSON, no permission)
 * is raised, so a broken override is seen rather than silently ignored.
 */
export function ssmCalendarOverrides(parameterName: string | undefined): CalendarOverridesSource {
  if (!parameterName) return async () => undefined;
  return async () => {
    try {
      return await getParameter(parameterName, { transform: "json", maxAge: 300 });
    } catch (error) {
      if (isParameterNotFound(error)) return undefined;
      throw error;
    }
  };
}

function isParameterNotFound(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current.name === "ParameterNotFound") return true;
  }
  return false;
}
