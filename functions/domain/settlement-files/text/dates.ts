import { FieldError } from "./amounts.js";

/** True when year/month/day is a real calendar date (no 30 February). */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

const ISO_PREFIX = /^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})/;
const COMPACT_PREFIX = /^\s*(\d{4})(\d{2})(\d{2})(?!\d)/;

/**
 * The calendar date at the start of a timestamp as written, with no time-zone conversion:
 * `2019-07-25 08:35:41`, `2014-11-10 16：33：45`, `2019/07/25`, `20190725`, `2019年09月16日` →
 * `YYYY-MM-DD`. WeChat/Alipay times are Beijing local time without an offset, and their bills are
 * cut at 00:00 Beijing, so the written date *is* the bill date. Throws FieldError naming `field`.
 */
export function datePrefix(raw: string, field: string): string {
  const m = ISO_PREFIX.exec(raw) ?? COMPACT_PREFIX.exec(raw);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (isValidDate(year, month, day)) return iso(year, month, day);
  }
  throw new FieldError(`${field}: not a date: ${JSON.stringify(raw)}`);
}

/**
 * A date reader for a pattern made of YYYY, MM, DD (and optional YY) tokens with literal
 * separators, e.g. "DD/MM/YYYY" or "YYYYMMDD". Anything after the date (a time) is ignored.
 * `M` and `D` alone accept one or two digits.
 */
export function datePatternReader(pattern: string): (raw: string, field: string) => string {
  const order: ("Y" | "YY" | "M" | "D")[] = [];
  let source = "^\\s*";
  for (let i = 0; i < pattern.length; ) {
    const rest = pattern.slice(i);
    if (rest.startsWith("YYYY")) {
      source += "(\\d{4})";
      order.push("Y");
      i += 4;
    } else if (rest.startsWith("YY")) {
      source += "(\\d{2})";
      order.push("YY");
      i += 2;
    } else if (rest.startsWith("MM") || rest.startsWith("DD")) {
      source += "(\\d{2})";
      order.push(rest.startsWith("MM") ? "M" : "D");
      i += 2;
    } else if (rest.startsWith("M") || rest.startsWith("D")) {
      source += "(\\d{1,2})";
      order.push(rest.startsWith("M") ? "M" : "D");
      i += 1;
    } else {
      source += (pattern[i] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      i += 1;
    }
  }
  if (!order.includes("M") || !order.includes("D") || !(order.includes("Y") || order.includes("YY"))) {
    throw new RangeError(`date pattern ${JSON.stringify(pattern)} needs YYYY (or YY), MM and DD`);
  }
  const re = new RegExp(source);
  return (raw, field) => {
    const m = re.exec(raw);
    if (m) {
      let year = 0;
      let month = 0;
      let day = 0;
      order.forEach((token, k) => {
        const v = Number(m[k + 1]);
        if (token === "Y") year = v;
        else if (token === "YY") year = 2000 + v;
        else if (token === "M") month = v;
        else day = v;
      });
      if (isValidDate(year, month, day)) return iso(year, month, day);
    }
    throw new FieldError(`${field}: ${JSON.stringify(raw)} is not a date of the form ${pattern}`);
  };
}
