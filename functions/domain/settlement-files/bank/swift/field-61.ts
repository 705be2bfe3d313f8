/**
 * SWIFT field 61 (statement line): `6!n[4!n]2a[1!a]15d1!a3!c[16x][//16x]` + `[34x]` on the next
 * line - value date YYMMDD, optional entry date MMDD, mark (C, D, RC, RD; EC/ED in MT942), optional
 * funds code (3rd letter of the currency), amount with a decimal comma, transaction type (N/F/S +
 * 3 characters; empty when the bank leaves it out), customer reference, `//` bank reference, supplementary details.
 */
export interface Field61 {
  readonly valueDate: string;
  readonly mark: "C" | "D" | "RC" | "RD" | "EC" | "ED";
  readonly amount: string;
  readonly transactionType: string;
  readonly customerReference: string | null;
  readonly bankReference: string | null;
  readonly supplementary: string | null;
}

export type Field61Parse = { ok: true; field: Field61 } | { ok: false; reason: string };

// Type codes are checked loosely: banks send `MCI0`, `S   ` and lower-case letters.
const FIELD_61 = /^(\d{6})(\d{4})?(RC|RD|EC|ED|C|D)([A-Z])?(\d+(?:,\d*)?)([A-Za-z][A-Za-z0-9 ]{3})(.*)$/;
/**
 * Some banks leave the transaction type out (`2011301130DN29486,67//REF`: funds code N, then the
 * amount, then the bank reference). Read only when the amount has its decimal comma and `//` or the
 * end of the line follows it (anything else could be a type code and a reference run together), and
 * only after the wrapped-line reading failed.
 */
const FIELD_61_NO_TYPE = /^(\d{6})(\d{4})?(RC|RD|EC|ED|C|D)([A-Z])?(\d+,\d*)()((?:\/\/.*)?)$/;

/**
 * Placeholders banks put where no reference exists (Rabobank's and ING's `EREF` / `PREF` point to
 * `:86:/EREF/` / `:86:/PREF/`).
 */
const NO_REFERENCE = new Set(["NONREF", "NOTPROVIDED", "KREF+", "EREF", "PREF", ""]);

/**
 * A reference sub-field: 16x by the standard, but banks overrun it (ASN puts an 18-character IBAN
 * there) or pad it and append a name (Rabobank), so it ends at the first run of 2+ spaces.
 */
function reference(value: string | undefined): string | null {
  const trimmed = (value ?? "").trim().split(/\s{2,}/)[0] ?? "";
  return NO_REFERENCE.has(trimmed.toUpperCase()) ? null : trimmed;
}

function parseFirstLine(text: string, pattern = FIELD_61): Field61 | null {
  const match = pattern.exec(text);
  if (!match) return null;
  const rest = match[7] ?? "";
  const slashes = rest.indexOf("//");
  return {
    valueDate: match[1] ?? "",
    mark: (match[3] ?? "C") as Field61["mark"],
    amount: match[5] ?? "",
    transactionType: (match[6] ?? "").toUpperCase(),
    customerReference: reference(slashes === -1 ? rest : rest.slice(0, slashes)),
    bankReference: slashes === -1 ? null : reference(rest.slice(slashes + 2)),
    supplementary: null,
  };
}

/**
 * Parses the lines of a `:61:` field. Usually the first line holds everything up to the bank
 * reference and the second the supplementary details; some exports wrap the first line itself
 * (`…CR` / `30,00N062NONREF`), so when the first line alone does not parse, the first two joined do.
 */
export function parseField61(lines: readonly string[]): Field61Parse {
  const first = (lines[0] ?? "").trim();
  let consumed = 1;
  let field = parseFirstLine(first);
  if (!field && lines.length > 1) {
    field = parseFirstLine(first + (lines[1] ?? "").trim());
    consumed = 2;
  }
  if (!field) {
    field = parseFirstLine(first, FIELD_61_NO_TYPE);
    consumed = 1;
  }
  if (!field) {
    return {
      ok: false,
      reason: `:61: "${first}" does not read as value date, [entry date], C/D/RC/RD mark, [funds code], amount, [transaction type]`,
    };
  }
  const supplementary = lines
    .slice(consumed)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ");
  return { ok: true, field: { ...field, supplementary: supplementary === "" ? null : supplementary } };
}
