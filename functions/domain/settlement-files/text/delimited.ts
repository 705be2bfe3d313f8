/**
 * Field splitting for the CSV family (RFC 4180 quoting, any one-character delimiter) and header
 * lookup by name. Kept small and allocation-light: this is the hot loop of every CSV parser.
 */

/**
 * Splits one record into fields. Quoted fields may contain the delimiter, doubled quotes and line
 * breaks; returns `null` when a quoted field is still open at the end of `text` (the caller appends
 * the next physical line and tries again).
 */
export function splitDelimited(text: string, delimiter: string): string[] | null {
  if (text.indexOf('"') < 0) return text.split(delimiter);
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34 /* " */) {
      // Quoted field: read to the closing quote, "" is a literal quote.
      let value = "";
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return null;
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      // Tolerate junk between the closing quote and the delimiter (`"a" ,b`): keep it.
      const next = text.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(value + text.slice(i));
        return fields;
      }
      fields.push(value + text.slice(i, next));
      i = next + 1;
    } else {
      const next = text.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, next));
      i = next + 1;
    }
    if (i === n) {
      fields.push("");
      return fields;
    }
  }
}

/** Header text as compared: no BOM, no spaces, ASCII parentheses/colons, lower case. */
export function normalizeHeader(name: string): string {
  return name
    .replace(/^\uFEFF/, "")
    .replace(/[（]/g, "(")
    .replace(/[）]/g, ")")
    .replace(/：/g, ":")
    .replace(/[\s\t]+/g, "")
    .toLowerCase();
}

/** Column positions of a header row, looked up by (normalised) name. */
export class HeaderIndex {
  private readonly positions = new Map<string, number>();
  readonly size: number;

  constructor(readonly names: readonly string[]) {
    this.size = names.length;
    names.forEach((name, i) => {
      const key = normalizeHeader(name);
      if (key !== "" && !this.positions.has(key)) this.positions.set(key, i);
    });
  }

  /** Position of the first of `names` present, or -1. */
  find(...names: string[]): number {
    for (const name of names) {
      const at = this.positions.get(normalizeHeader(name));
      if (at !== undefined) return at;
    }
    return -1;
  }

  has(...names: string[]): boolean {
    return this.find(...names) >= 0;
  }
}

/**
 * Checks a record's field count against its header. Trailing empty fields beyond the header are
 * tolerated (Excel round trips add them); anything else is a wrong column count.
 */
export function columnCountProblem(fields: readonly string[], header: HeaderIndex): string | null {
  if (fields.length === header.size) return null;
  if (fields.length > header.size && fields.slice(header.size).every((f) => f.trim() === "")) return null;
  return `wrong column count: expected ${header.size} fields as in the header, found ${fields.length}`;
}

/** A CSV record assembled from one or more physical lines. */
export interface DelimitedRecord {
  fields: string[];
  /** 1-based physical line the record starts on. */
  line: number;
}

/** A record whose quote never closed: reported for its first line. */
export interface UnterminatedRecord {
  unterminated: true;
  line: number;
}

/**
 * Joins physical lines into CSV records when a quoted field spans line breaks. A quote left open for
 * more than `maxLines` lines (or to the end of the file) yields an UnterminatedRecord for the line it
 * started on, and reading resumes at the next line so one stray quote costs one record, not the file.
 */
export class RecordAssembler {
  private pending: string[] = [];
  private pendingLine = 0;

  constructor(
    private readonly delimiter: string,
    private readonly maxLines = 20,
  ) {}

  /** True when no quoted field is open (a blank line now is really blank). */
  get idle(): boolean {
    return this.pending.length === 0;
  }

  push(text: string, line: number): (DelimitedRecord | UnterminatedRecord)[] {
    if (this.pending.length === 0) {
      const fields = splitDelimited(text, this.delimiter);
      if (fields) return [{ fields, line }];
      this.pending = [text];
      this.pendingLine = line;
      return [];
    }
    this.pending.push(text);
    const fields = splitDelimited(this.pending.join("\n"), this.delimiter);
    if (fields) {
      const record = { fields, line: this.pendingLine };
      this.pending = [];
      return [record];
    }
    if (this.pending.length < this.maxLines) return [];
    // Give up on the first line only, then re-read the rest as fresh records.
    const [, ...rest] = this.pending;
    const out: (DelimitedRecord | UnterminatedRecord)[] = [{ unterminated: true, line: this.pendingLine }];
    const firstRestLine = this.pendingLine + 1;
    this.pending = [];
    rest.forEach((t, k) => {
      out.push(...this.push(t, firstRestLine + k));
    });
    return out;
  }

  /** At the end of the text: an open quote is an unterminated record (lines after it are re-read). */
  end(): (DelimitedRecord | UnterminatedRecord)[] {
    if (this.pending.length === 0) return [];
    const [, ...rest] = this.pending;
    const out: (DelimitedRecord | UnterminatedRecord)[] = [{ unterminated: true, line: this.pendingLine }];
    const firstRestLine = this.pendingLine + 1;
    this.pending = [];
    rest.forEach((t, k) => {
      out.push(...this.push(t, firstRestLine + k));
    });
    out.push(...this.end());
    return out;
  }
}

/** True for a record with nothing in it (a blank line, or only delimiters and spaces). */
export function isBlankRecord(fields: readonly string[]): boolean {
  for (const f of fields) if (f.trim() !== "") return false;
  return true;
}
