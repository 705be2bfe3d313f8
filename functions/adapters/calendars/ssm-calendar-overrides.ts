import { getParameter } from "@aws-lambda-powertools/parameters/ssm";
import type { CalendarOverridesSource } from "./calendar-provider.js";

/** Calendar overrides kept as JSON in an SSM parameter; absent parameter name = bundled calendars only. */
export function ssmCalendarOverrides(parameterName: string | undefined): CalendarOverridesSource {
  if (!parameterName) return async () => undefined;
  return async () => await getParameter(parameterName, { transform: "json", maxAge: 300 });
}
