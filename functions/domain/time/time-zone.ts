import { IANAZone } from "luxon";

/** True for a time zone name the runtime's tz database knows (e.g. "Asia/Shanghai"). */
export function isKnownTimeZone(name: string): boolean {
  return name.length > 0 && IANAZone.isValidZone(name);
}
