/**
 * Opt-in conformance suite: every public bank-statement sample (camt.052/053/054, MT940/942, BAI2)
 * in the shared samples folder is read through the real reader (bytes → encoding → format
 * detection → parser). Skipped when the folder is absent; samples are never copied into the repo.
 *
 *   SETTLEWATCH_SAMPLES=../shared/samples npx vitest run test/samples/bank-samples.test.ts
 *
 * Many samples are parser test data whose own totals do not add up (hand-edited or truncated by
 * whoever published them). Each such file is listed with the figure that differs and why, so a
 * new or different mismatch fails the suite.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readCamt } from "../../functions/domain/settlement-files/bank/index.js";
import { readSettlementFile } from "../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import type {
  ControlResult,
  CurrencyTotals,
  ParsedRecord,
  SettlementFormat,
  SettlementLine,
} from "../../functions/domain/settlement-files/settlement-record.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const samplesDir = resolve(repoRoot, process.env.SETTLEWATCH_SAMPLES ?? "../shared/samples");

interface Expectation {
  format: SettlementFormat | "camt052";
  lines: number;
  rejected: number;
  control: ControlResult["control"];
  /** For a mismatch: a piece of the detail naming the figure that differs. */
  detail?: string;
  /** Why the file disagrees with itself (or why a record is rejected). */
  why?: string;
  /** Credit and debit sums per currency, in minor units (hand-computed in SOURCES.json). */
  totals?: CurrencyTotals;
  /** The text encoding the reader must detect, when it is not UTF-8/ASCII. */
  encoding?: string;
}

const sums = (
  entries: Record<string, [creditMinor: number, debitMinor: number]>,
): { totals: CurrencyTotals } => ({
  totals: Object.fromEntries(
    Object.entries(entries).map(([currency, [creditMinor, debitMinor]]) => [
      currency,
      { creditMinor, debitMinor },
    ]),
  ),
});

const ok = (format: Expectation["format"], lines: number, rejected = 0): Expectation => ({
  format,
  lines,
  rejected,
  control: "ok",
});
const absent = (format: Expectation["format"], lines: number, rejected = 0, why?: string): Expectation => ({
  format,
  lines,
  rejected,
  control: "absent",
  ...(why ? { why } : {}),
});
const mismatch = (
  format: Expectation["format"],
  lines: number,
  detail: string,
  why: string,
  rejected = 0,
): Expectation => ({
  format,
  lines,
  rejected,
  control: "mismatch",
  detail,
  why,
});

const GENKGO_SEK_EUR = "genkgo test data: balances in SEK on an EUR account whose one entry is in EUR";

/** Every sample of the bank formats, by path under the samples folder. */
const EXPECTED: Record<string, Expectation | { throws: RegExp; why: string }> = {
  "camt052/200519_camt.052_P_CH2909000000250094239_1110092686_0_2019042416072347.xml": absent("camt052", 2),
  "camt052/FI_camt_052_sample.xml.xml": ok("camt052", 1, 1), // the PDNG entry is rejected
  "camt052/camt052.v2.xml": absent("camt052", 1),
  "camt052/camt052.v8.xml": absent("camt052", 1),

  "camt053/FI_camt_053_sample.xml.xml": ok("camt053", 13),
  "camt053/camt.053.001.07.xml": absent("camt053", 0, 0, "balances only (OPAV/ITBD), no entries"),
  // PostFinance leaves the entry valued the next day out of CLBD; the ledger explains it.
  "camt053/camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml": ok("camt053", 5),
  "camt053/camt053.v2.all-balance-types.xml": mismatch(
    "camt053",
    1,
    "but CLBD is 4.04 EUR (difference -5.82 EUR)",
    "genkgo test data: OPBD 1.01 + 8.85 booked is not the CLBD 4.04 it lists",
  ),
  "camt053/camt053.v2.five.decimals.xml": mismatch(
    "camt053",
    1,
    "but CLBD is 27.05 EUR (difference 0.05 EUR)",
    "genkgo test data: 18.150 + 8.850 = 27.000, the file says 27.050",
  ),
  "camt053/camt053.v2.minimal.xml": mismatch(
    "camt053",
    1,
    "balances in EUR/SEK but entries in EUR",
    GENKGO_SEK_EUR,
  ),
  "camt053/camt053.v2.multi.statement.xml": ok("camt053", 2),
  "camt053/camt053.v2.with-party-ids.xml": mismatch(
    "camt053",
    1,
    "balances in EUR/SEK but entries in EUR",
    GENKGO_SEK_EUR,
  ),
  "camt053/camt053.v3.xml": mismatch("camt053", 1, "balances in EUR/SEK but entries in EUR", GENKGO_SEK_EUR),
  "camt053/camt053.v4.xml": mismatch("camt053", 1, "balances in EUR/SEK but entries in EUR", GENKGO_SEK_EUR),
  "camt053/camt053.v8.xml": mismatch("camt053", 1, "balances in EUR/SEK but entries in EUR", GENKGO_SEK_EUR),
  "camt053/camt53.only-Dt-with-DtTm.xml": absent("camt053", 0, 0, "OPBD only, no CLBD, no entries"),
  "camt053/statement_1.xml": absent("camt053", 4, 0, "only OPAV/CLAV balances"),

  "camt054/200519_camt.054-Credit_P_CH2909000000250094239_1110092691_0_2019042421291293.xml": absent(
    "camt054",
    1,
  ),
  "camt054/200519_camt.054-Debit_P_CH2909000000250094239_1110092692_0_2019042401501580.xml": absent(
    "camt054",
    1,
  ),
  "camt054/200519_camt.054_P_CH2909000000250094239_1111091335_0_2020061900081727.xml": absent("camt054", 2),
  "camt054/200519_camt054-ESR-ASR_P_CH2909000000250094239_1110092704_0_2019042500372179.xml": absent(
    "camt054",
    6,
  ),
  "camt054/200519_camt054-chdd_p_ch2909000000250094239_1110097484_0_20190520700381159.xml": absent(
    "camt054",
    2,
  ),
  "camt054/200519_camt054-epo_p_ch5109000000250092291_1110097605_0_2019052003522556.xml": absent(
    "camt054",
    3,
  ),
  "camt054/200519_camt054-returns_p_ch2909000000250094239_1109800798_0_2019052023472022.xml": absent(
    "camt054",
    1,
  ),
  "camt054/200924_camt.054_P_CH2909000000250094239_1110092703_0_2019042423412214.xml": absent("camt054", 6),
  "camt054/FI_camt_054_sample.xml.xml": mismatch(
    "camt054",
    11,
    "TtlNtries/TtlNetNtryAmt says 169.95 EUR, entries net 369.95 EUR",
    "the Finnish guide nets its INFO reversal entry (CRDT 100.00, RvslInd) as a debit; ISO 20022 books it " +
      "as the credit its CdtDbtInd says (count and sum agree); the INFO entry itself is rejected as not booked",
    1,
  ),
  "camt054/camt054-returns_p_ch5109000000250092291_1110097606_0_2020112500512470.xml": absent("camt054", 1),
  // genkgo: a SEK 200000 entry whose TxDtls are CHF 3.10/3.20/3.20 credits - one line for the entry.
  "camt054/camt054.v2.xml": absent("camt054", 1),
  "camt054/camt054.v4.xml": absent("camt054", 1),
  "camt054/camt054.v8-with-UETR.xml": absent("camt054", 1), // no dates: the notification date is used
  "camt054/camt054.v8-with-financial-institution.xml": absent("camt054", 1),
  "camt054/camt054.v8.xml": absent("camt054", 1),

  "mt940/ASNB/0708271685_09022020_164516.940.txt": ok("mt940", 8),
  "mt940/betterplace/amount_formats.sta": mismatch(
    "mt940",
    0,
    "no closing balance :62F:/:62M:",
    "a list of six :60F: amount formats, not a statement",
  ),
  "mt940/betterplace/empty_86.sta": absent("mt940", 0, 0, "a lone :86: fragment"),
  "mt940/betterplace/missing_crlf_at_end.sta": mismatch(
    "mt940",
    0,
    "no opening balance :60F:/:60M:",
    "a lone :62F: fragment without final newline",
  ),
  "mt940/betterplace/sepa_mt9401.sta": ok("mt940", 97),
  "mt940/betterplace/sepa_snippet.sta": mismatch(
    "mt940",
    11,
    "(difference 300.08 EUR)",
    "statement 2's first line reads DR0,08 while its :62F: implies 300,08 (hand-edited test data)",
  ),
  "mt940/betterplace/with_binary_character.sta": ok("mt940", 4),
  "mt940/cmxl/mt940.sta": ok("mt940", 16),
  "mt940/jejik/abnamro.sta": mismatch(
    "mt940",
    10,
    "(difference -2038.00 EUR)",
    "jejik test data with made-up balances",
  ),
  "mt940/jejik/generic.sta": ok("mt940", 2),
  "mt940/jejik/ing.sta": mismatch(
    "mt940",
    7,
    "(difference 49.06 EUR)",
    "jejik test data with made-up balances",
  ),
  "mt940/jejik/knab.sta": mismatch(
    "mt940",
    3,
    "(difference 4500.00 EUR)",
    "jejik test data with made-up balances",
  ),
  "mt940/jejik/postfinance.sta": mismatch(
    "mt940",
    4,
    "(difference 0.20 CHF)",
    "jejik test data with made-up balances",
  ),
  "mt940/jejik/rabobank-iban.sta": ok("mt940", 4),
  "mt940/jejik/rabobank.sta": mismatch(
    "mt940",
    5,
    "(difference 1135.93 EUR)",
    "jejik test data with made-up balances",
  ),
  "mt940/jejik/sns.sta": ok("mt940", 2),
  "mt940/jejik/triodos.sta": mismatch(
    "mt940",
    2,
    "(difference 111.40 EUR)",
    "jejik test data with made-up balances",
  ),
  "mt940/mBank/mt940.sta": ok("mt940", 3),
  // Prose preamble before :20:; funds code letter after the mark (CR0,23); four :86: after one :61:.
  "mt940/danske-bank/MT940_FI_Example.sta": { ...ok("mt940", 6), ...sums({ EUR: [23, 135733] }) },
  // 13 statements back to back with no "-" between them; funds code K on every entry (DK / CK).
  "mt940/danske-bank/MT940_NO_Example.txt": {
    ...ok("mt940", 24),
    ...sums({ NOK: [385047429, 146782527] }),
  },
  "mt940/ing-nl/ing-provided-example-single-message.txt": {
    ...mismatch(
      "mt940",
      9,
      "(difference 540.00 EUR)",
      "ING's example: its :86:/SUM/ agrees with the nine :61: lines, its :62F: is 540.00 higher",
    ),
    ...sums({ EUR: [396915, 62700] }),
  },
  // :61: with neither entry date nor customer reference (200219C65,00NMSC).
  "mt940/jejik/volksbankenraiffeisenbanken.txt": { ...ok("mt940", 12), ...sums({ EUR: [74500, 0] }) },
  // ISO-8859-2, SOH/ETX around each message, three currencies.
  "mt940/mbank-pl/MT940_multiple_accounts.txt": {
    ...ok("mt940", 56),
    ...sums({ PLN: [200513539, 182300], EUR: [52040, 91897], USD: [0, 4387] }),
    encoding: "iso-8859-2",
  },
  // No :25: (the account is unknown) and a :86: wrapped so that a line starts with ":12:".
  "mt940/mt940rs/mt940rs_unexpected_tag.sta": { ...ok("mt940", 1), ...sums({ EUR: [0, 600] }) },
  "mt940/mBank/with_newline_in_tnr.sta": mismatch(
    "mt940",
    2,
    "(difference 770.71 PLN)",
    "anonymised extract: two lines kept of a day whose :62F: covers more",
  ),
  "mt940/sberbank/171011_01234945.sta": ok("mt940", 3),
  "mt940/self-provided/details_60-63.sta": mismatch(
    "mt940",
    1,
    "(difference 234.01 EUR)",
    "self-made test data",
  ),
  "mt940/self-provided/february_30.sta": ok("mt940", 1), // 30 Feb moved to 29 Feb, noted
  "mt940/self-provided/gv_codes.sta": mismatch(
    "mt940",
    2,
    "no closing balance :62F:/:62M:",
    "the sample stops after its second :61: (no :62F:)",
  ),
  "mt940/self-provided/raiffeisen-cmi.sta": mismatch(
    "mt940",
    7,
    "(difference 1123264.00 HUF)",
    "anonymised extract: the closing balance belongs to the full day",
  ),
  "mt940/self-provided/raphaelm.sta": ok("mt940", 9),
  "mt940/self-provided/sparkassen.sta": absent(
    "mt940",
    0,
    1,
    "a :61:/:86: fragment with no :60F:, so the line has no currency and is rejected",
  ),
  "mt940/self-provided/transaction_details_wrapped.sta": ok("mt940", 1),
  "mt940/self-provided/whitespace.sta": mismatch(
    "mt940",
    1,
    "(difference 234.01 EUR)",
    "self-made test data",
  ),
  "mt940/self-provided/wrapped_timestamp.sta": ok("mt940", 1),
  "mt942/mBank/mt942.sta": ok("mt942", 3),
  "mt942/self-provided/mt942.sta": mismatch(
    "mt942",
    1,
    ":90D: says 1 lines 2.30 EUR, file has 1 lines 0.42 EUR",
    "self-made test data",
  ),

  "bai2/ministryofjustice/account_trailer_amount_blank_example.bai2": ok("bai2", 0),
  "bai2/ministryofjustice/citi_example.bai2": ok("bai2", 1),
  "bai2/ministryofjustice/nwb_example.bai2": ok("bai2", 5),
  "bai2/ministryofjustice/svb_us_example.bai2": ok("bai2", 2),
  // 03 with empty summary fields; 16 and 88 records not slash-terminated, commas in the 88 text.
  "bai2/venturehacks-svb/eod.bai2": { ...ok("bai2", 1), ...sums({ USD: [8325982, 0] }) },
  "bai2/moov-io/errors/sample-parseError.txt": {
    throws: /not a recognised settlement file/,
    why: "negative sample: record code 00, no 01 file header",
  },
  "bai2/moov-io/sample1.txt": ok("bai2", 17),
  "bai2/moov-io/sample2.txt": ok("bai2", 4),
  "bai2/moov-io/sample3.txt": ok("bai2", 26),
  "bai2/moov-io/sample4-continuations-newline-delimited.txt": mismatch(
    "bai2",
    17,
    "49 control total says -12601613417.62 USD",
    "moov-io test data: trailer totals and counts are placeholders",
  ),
  "bai2/moov-io/sample5-issue113.txt": mismatch(
    "bai2",
    20,
    "49 control total says -12601613417.62 USD",
    "moov-io test data: trailer totals and counts are placeholders",
  ),
};

const FORMAT_DIRS = ["camt052", "camt053", "camt054", "mt940", "mt942", "bai2"];

function samplesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "genkgo-expected" ? [] : samplesIn(path);
    return [path];
  });
}

interface Read {
  format: string;
  records: ParsedRecord[];
  lines: SettlementLine[];
  rejected: number;
  control: ControlResult;
  totals?: CurrencyTotals;
  encoding?: string;
}

async function readSample(path: string): Promise<Read> {
  if (path.includes("camt052")) {
    // Not a registered format (SettlementFormat has no camt052): read with the camt reader directly.
    const records: ParsedRecord[] = [];
    const text = readFileSync(path, "utf8");
    const run = readCamt(
      (async function* () {
        yield text;
      })(),
      "camt.052",
    );
    for (;;) {
      const step = await run.next();
      if (step.done) {
        const lines = records.filter((r): r is SettlementLine => r.type === "line");
        return {
          format: "camt052",
          records,
          lines,
          rejected: records.length - lines.length,
          control: step.value,
        };
      }
      records.push(step.value);
    }
  }
  const records: ParsedRecord[] = [];
  let encoding: string | undefined;
  const options = { fileName: path, onDecoded: (info: { encoding: string }) => (encoding = info.encoding) };
  for await (const record of readSettlementFile(createReadStream(path), options)) records.push(record);
  const summary = records.at(-1);
  if (summary?.type !== "summary") throw new Error("no summary record");
  const lines = records.filter((r): r is SettlementLine => r.type === "line");
  return {
    format: summary.format,
    records,
    lines,
    rejected: summary.rejected,
    control: { control: summary.control, controlDetail: summary.controlDetail },
    totals: summary.totals,
    ...(encoding !== undefined ? { encoding } : {}),
  };
}

describe.skipIf(!existsSync(samplesDir))(`bank-statement samples in ${samplesDir}`, () => {
  const present = FORMAT_DIRS.filter((d) => existsSync(join(samplesDir, d))).flatMap((d) =>
    samplesIn(join(samplesDir, d)).map((p) => relative(samplesDir, p)),
  );

  it("has an expectation for every sample of the bank formats", () => {
    expect(present.filter((p) => !(p in EXPECTED))).toEqual([]);
  });

  it.each(present)("%s", async (sample) => {
    const expected = EXPECTED[sample];
    if (!expected) return; // reported by the test above
    const path = join(samplesDir, sample);
    if ("throws" in expected) {
      await expect(readSample(path)).rejects.toMatchObject({
        name: "UnreadableFileError",
        message: expected.throws,
      });
      return;
    }
    const read = await readSample(path);
    expect({
      format: read.format,
      lines: read.lines.length,
      rejected: read.rejected,
      control: read.control.control,
    }).toEqual({
      format: expected.format,
      lines: expected.lines,
      rejected: expected.rejected,
      control: expected.control,
    });
    if (expected.detail) expect(read.control.controlDetail).toContain(expected.detail);
    if (expected.totals) expect(read.totals).toEqual(expected.totals);
    if (expected.encoding) expect(read.encoding).toBe(expected.encoding);
    for (const line of read.lines) {
      expect(Number.isSafeInteger(line.netMinor) && line.netMinor >= 0).toBe(true);
      expect(line.valueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  /** genkgo/camt's expected parse results (Dumper JSON): the entries it lists, amounts in minor units. */
  const oracles = ["camt052", "camt053", "camt054"].flatMap((d) => {
    const dir = join(samplesDir, d, "genkgo-expected");
    return existsSync(dir) ? readdirSync(dir).map((name) => join(d, "genkgo-expected", name)) : [];
  });

  interface GenkgoEntry {
    getAmount?: { getAmount?: string; getCurrency?: { getCode?: string } };
    getValueDate?: { "0"?: string } | null;
    getCreditDebitIndicator?: string;
  }

  it.each(oracles)("matches genkgo/camt's %s", async (oracle) => {
    const json = JSON.parse(readFileSync(join(samplesDir, oracle), "utf8")) as { getEntries?: GenkgoEntry[] };
    const xml = join(samplesDir, oracle.replace("/genkgo-expected/", "/").replace(/\.json$/, ".xml"));
    const { lines } = await readSample(xml);
    for (const entry of json.getEntries ?? []) {
      const amount = BigInt(entry.getAmount?.getAmount ?? "NaN");
      const currency = entry.getAmount?.getCurrency?.getCode;
      const valueDate = entry.getValueDate?.["0"]?.slice(0, 10);
      const matching = lines.filter(
        (l) =>
          l.currency === currency &&
          BigInt(l.direction === "credit" ? l.netMinor : -l.netMinor) === amount &&
          (valueDate === undefined || l.valueDate === valueDate),
      );
      expect(matching, `${currency} ${amount} ${valueDate ?? ""}`).toHaveLength(1);
      expect(matching[0]?.direction).toBe(entry.getCreditDebitIndicator === "DBIT" ? "debit" : "credit");
    }
  });
});
