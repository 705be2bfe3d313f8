import * as z from "zod";

/** One header name, or several alternatives (first present wins), matched after trimming, case-insensitively. */
const headerName = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const lineKind = z.enum(["payment", "refund", "payout", "fee", "other"]);

/**
 * How to read one acquirer's CSV settlement file: every column is found by its header name, so a
 * new acquirer (or a re-ordered export) is a config change, not code. Validated at load time.
 */
export const AcquirerCsvMapping = z
  .object({
    /** Acquirer name, e.g. "chinaums" - also what `--format acquirer-csv` reports. */
    acquirer: z.string().min(1),
    /** Field separator; `"\t"` for tab-separated portal exports. */
    delimiter: z.string().length(1).default(","),
    columns: z.object({
      reference: headerName,
      merchantReference: headerName.optional(),
      batchReference: headerName.optional(),
      merchantId: headerName.optional(),
      gross: headerName.optional(),
      net: headerName.optional(),
      fee: headerName.optional(),
      currency: headerName.optional(),
      valueDate: headerName,
      /** Column whose values `kindValues` maps to a line kind (e.g. 交易类型). */
      kind: headerName.optional(),
      /** Column whose values `directionValues` maps to credit/debit (e.g. a D/C indicator). */
      direction: headerName.optional(),
    }),
    /** Currency when the file has no currency column (ISO 4217). */
    defaultCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /**
     * Date pattern of `valueDate` with the tokens YYYY, MM, DD (other characters are literal);
     * anything after the matched date (a time) is ignored. E.g. "YYYYMMDD", "DD/MM/YYYY".
     */
    valueDateFormat: z.string().default("YYYY-MM-DD"),
    /** "major": decimal strings like 12.34 (scaled by the currency's digits); "minor": integers in cents/fen. */
    amountUnit: z.enum(["major", "minor"]).default("major"),
    decimalSeparator: z.enum([".", ","]).default("."),
    /** "charge-positive": a fee of 1.20 costs the merchant 1.20; "charge-negative": it is written -1.20. */
    feeSign: z.enum(["charge-positive", "charge-negative"]).default("charge-positive"),
    /** Raw value of the kind column (trimmed, case-insensitive) → kind; unmapped values become "other". */
    kindValues: z.record(z.string(), lineKind).default({}),
    /** Raw value of the direction column → direction; when absent or unmapped the sign rules apply. */
    directionValues: z.record(z.string(), z.enum(["credit", "debit"])).default({}),
    /**
     * Lines (before or after the header) matching any of these regexes are not records: preambles,
     * footers like "总笔数：…". Blank lines and lines of only delimiters are always skipped.
     */
    ignoreLines: z.array(z.string()).default([]),
    /** How many lines before the header row may be preamble (the header is found by its names). */
    maxPreambleLines: z.number().int().min(0).max(1000).default(20),
    /**
     * For files without a header row: the name of each column, in order (the names `columns` refers
     * to). Mapping stays by name; only the names are supplied by config instead of the file.
     */
    columnNames: z.array(z.string().min(1)).min(1).optional(),
    /** Thousands separator inside amounts ("1,234.56"), removed before parsing. */
    thousandsSeparator: z.enum([",", ".", " ", "'"]).optional(),
    /**
     * A footer/header line holding the file's own totals: a regex (JavaScript syntax) with named
     * groups `count`, `gross`, `net` and/or `fee`, e.g.
     * `"^总笔数：\\t(?<count>\\d+)\\t交易金额：\\t(?<gross>[-\\d.]+)"`. The line is not a record;
     * its figures are compared with the detail (count of records; signed sums, credit positive) and
     * reported as the summary's control.
     */
    controlLine: z
      .string()
      .refine(
        (source) => {
          try {
            new RegExp(source, "u");
            return true;
          } catch {
            return false;
          }
        },
        { message: "not a valid regular expression" },
      )
      .optional(),
  })
  .refine((m) => m.columns.net !== undefined || m.columns.gross !== undefined, {
    message: "map at least one of columns.net or columns.gross",
    path: ["columns", "net"],
  })
  .refine((m) => m.columns.currency !== undefined || m.defaultCurrency !== undefined, {
    message: "map columns.currency or set defaultCurrency",
    path: ["defaultCurrency"],
  })
  .refine((m) => m.decimalSeparator !== m.thousandsSeparator, {
    message: "thousandsSeparator must differ from decimalSeparator",
    path: ["thousandsSeparator"],
  });

/** A validated acquirer CSV mapping (defaults applied). */
export type AcquirerCsvMapping = z.output<typeof AcquirerCsvMapping>;
/** What a config file may contain (defaults optional). */
export type AcquirerCsvMappingInput = z.input<typeof AcquirerCsvMapping>;

/** Validates a config value holding one mapping or an array of them. Throws a ZodError naming the field. */
export function parseAcquirerCsvMappings(value: unknown): AcquirerCsvMapping[] {
  // Parsed separately (not as a union) so an error names the field, not just "invalid input".
  if (Array.isArray(value)) return z.array(AcquirerCsvMapping).min(1).parse(value);
  return [AcquirerCsvMapping.parse(value)];
}
