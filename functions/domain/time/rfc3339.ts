import { daysInMonth, epochDayFromCivil, MS_PER_DAY } from "../calendar/civil-date.js";

/**
 * Milliseconds since the epoch of an RFC 3339 date-time with "Z" or an offset that names a real
 * moment (no 30 February, no hour 24), fractions beyond milliseconds truncated; undefined for
 * anything else.
 */
export function parseRfc3339Ms(value: string): number | undefined {
  // Hand-scanned rather than a regular expression: this runs once per payment. Grammar (RFC 3339
  // section 5.6): YYYY-MM-DD, "T" / "t" / " ", hh:mm:ss, optional ".fraction", "Z" / "z" / +hh:mm / -hh:mm.
  const length = value.length;
  if (length < 20) return undefined;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  const separator = value.charCodeAt(10);
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60 ||
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58 ||
    (separator !== 84 && separator !== 116 && separator !== 32) // T t space
  ) {
    return undefined;
  }
  let index = 19;
  let millis = 0;
  if (value.charCodeAt(index) === 46) {
    // "." then at least one digit; milliseconds are the first three, the rest is truncated.
    index++;
    const fractionStart = index;
    while (index < length) {
      const code = value.charCodeAt(index);
      if (code < 48 || code > 57) break;
      if (index - fractionStart < 3)
        millis += (code - 48) * (index === fractionStart ? 100 : index === fractionStart + 1 ? 10 : 1);
      index++;
    }
    if (index === fractionStart) return undefined;
  }
  let offsetMinutes: number;
  const zone = value.charCodeAt(index);
  if ((zone === 90 || zone === 122) && index + 1 === length) {
    offsetMinutes = 0; // Z z
  } else if ((zone === 43 || zone === 45) && index + 6 === length && value.charCodeAt(index + 3) === 58) {
    const offsetHours = digits(value, index + 1, 2);
    const offsetRest = digits(value, index + 4, 2);
    if (offsetHours < 0 || offsetHours > 23 || offsetRest < 0 || offsetRest > 59) return undefined;
    offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetRest);
  } else {
    return undefined;
  }
  // A leap second (:60) reads as the first millisecond after :59, as POSIX time does.
  return (
    epochDayFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    millis
  );
}

/** The number written with `count` ASCII digits at `at`, or -1 if any of them is not a digit. */
function digits(text: string, at: number, count: number): number {
  let result = 0;
  for (let index = at; index < at + count; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return -1;
    result = result * 10 + (code - 48);
  }
  return result;
}
