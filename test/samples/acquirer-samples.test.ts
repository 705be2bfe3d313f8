/**
 * Opt-in conformance suite: every public sample of the acquirer/platform formats (WeChat Pay,
 * Alipay, ChinaUMS, UnionPay ZM, Adyen, Stripe) in the shared samples folder must parse; lines +
 * rejected must equal the records counted independently here; control must be ok/absent, or a
 * mismatch this file explains (samples truncated by whoever published them, see SOURCES.md).
 *
 * The samples are read in place and never copied into the repository. Folder: $SETTLEWATCH_SAMPLES,
 * default ../shared/samples relative to the repository root; the suite skips when it is absent.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { readSettlementFile } from "../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import type {
  ParsedRecord,
  ParseSummary,
} from "../../functions/domain/settlement-files/settlement-record.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const samples = resolve(repoRoot, process.env.SETTLEWATCH_SAMPLES ?? "../shared/samples");

/** Mismatches the published samples are known to have (SOURCES.md notes), with the reason. */
const KNOWN_MISMATCHES: Record<string, { reason: string; detail: RegExp }> = {
  "wechatpay/gunsluo-wechatpay-go/fundflowbill_BASIC_2021-02-01.csv": {
    reason: "SDK author trimmed the income row: summary says 3 flows / 1 income, 2 expense rows remain",
    detail: /资金流水总笔数: file says 3, detail adds up to 2/,
  },
  "wechatpay/gunsluo-wechatpay-go/fundflowbill_BASIC_2021-02-01.csv.gz": {
    reason: "same bill gzipped",
    detail: /资金流水总笔数: file says 3, detail adds up to 2/,
  },
  "wechatpay/wxjava/ALL_2019-07-25_redacted.csv": {
    reason: "truncated to 1 detail row; summary still says 48 orders / 5.76 CNY",
    detail: /总交易单数: file says 48, detail adds up to 1/,
  },
  "wechatpay/wxjava/REFUND_2019-07-23_redacted.csv": {
    reason: "truncated to 1 refund row; summary says 4 rows, refunds 2.02, fee -0.02000",
    detail: /总交易单数: file says 4, detail adds up to 1/,
  },
  "wechatpay/wxjava/SUCCESS_2019-07-23_redacted.csv": {
    reason: "truncated to 1 row; summary says 31",
    detail: /总交易单数: file says 31, detail adds up to 1/,
  },
};

/** Files in the sample folders that are not inputs of these formats. */
const NOT_INPUTS = /\.(xlsx|md|json|yml)$/i;

function textOf(path: string): string {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, "gb18030");
  }
}

const nonBlankLines = (text: string) =>
  text.split(/\r\n|\r|\n/).filter((l) => l.replace(/[\t ,]/g, "") !== "");

/** Independent record counts: simple rules per folder, not the parsers' code. */
const COUNTERS: Record<string, (text: string, name: string) => number> = {
  // data and summary-value rows start with a backtick; one of them is the summary values row
  wechatpay: (text) => text.split(/\r\n|\r|\n/).filter((l) => l.startsWith("`")).length - 1,
  // rows start with the 8-digit settlement date; the clearing CSV has one header row
  chinaums: (text, name) =>
    name.endsWith(".csv")
      ? nonBlankLines(text).length - 1
      : nonBlankLines(text).filter((l) => /^\d{8}\t/.test(l)).length,
  unionpay: (text) => nonBlankLines(text).length,
  alipay: (text) => nonBlankLines(text).filter((l) => !l.trimStart().startsWith("#")).length - 1,
  adyen: (text) => nonBlankLines(text).length - 1,
  stripe: (text) => nonBlankLines(text).length - 1,
};

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : NOT_INPUTS.test(name) ? [] : [path];
  });
}

async function parseSample(path: string): Promise<{ records: ParsedRecord[]; summary: ParseSummary }> {
  const records: ParsedRecord[] = [];
  for await (const r of readSettlementFile(createReadStream(path, { highWaterMark: 4096 }), {
    fileName: basename(path),
  })) {
    records.push(r);
  }
  const summary = records.at(-1);
  if (summary?.type !== "summary") throw new Error("no summary");
  return { records, summary };
}

const FOLDERS = Object.keys(COUNTERS);

describe.skipIf(!existsSync(samples))(`acquirer/platform samples in ${samples}`, () => {
  for (const folder of FOLDERS) {
    const files = filesUnder(join(samples, folder));
    describe.skipIf(files.length === 0)(folder, () => {
      it.each(files.map((f) => [relative(samples, f), f]))("%s", async (name, path) => {
        const { records, summary } = await parseSample(path);
        const counted = COUNTERS[folder]?.(textOf(path), basename(path)) ?? Number.NaN;
        expect(summary.lines + summary.rejected, "lines + rejected = records counted independently").toBe(
          counted,
        );
        expect(records.length).toBe(counted + 1);
        expect(summary.lines).toBeGreaterThan(0);
        const known = KNOWN_MISMATCHES[name];
        if (known) {
          expect(summary.control, known.reason).toBe("mismatch");
          expect(summary.controlDetail).toMatch(known.detail);
        } else {
          expect(["ok", "absent"], `${name}: ${summary.controlDetail}`).toContain(summary.control);
        }
      });
    });
  }

  it("reads the expected formats and figures", async () => {
    const expectations: [string, Partial<ParseSummary>][] = [
      [
        "wechatpay/gunsluo-wechatpay-go/tradebill_ALL_2021-01-28.csv.gz",
        { format: "wechat-trade", lines: 3, control: "ok" },
      ],
      [
        "wechatpay/wxjava/ALL_legacy_2014-11-10_officialdoc.csv",
        { format: "wechat-trade", variant: "legacy", control: "ok" },
      ],
      [
        "chinaums/20170625.txt.netbank",
        { format: "acquirer-csv", variant: "chinaums-portal", lines: 33, control: "ok" },
      ],
      ["chinaums/20170625.txt.wap", { format: "acquirer-csv", variant: "chinaums-portal-headerless" }],
      ["chinaums/test.csv", { format: "acquirer-csv", variant: "chinaums-clearing" }],
      ["unionpay/INN17071888ZM_898319849000018", { format: "unionpay-zm", lines: 1207, rejected: 0 }],
    ];
    for (const [name, expected] of expectations) {
      const path = join(samples, name);
      if (!existsSync(path)) continue;
      expect((await parseSample(path)).summary, name).toMatchObject(expected);
    }
  });

  it("reads the UnionPay ZM first record as documented (25 000.00 CNY, fee 0.24, net 24 999.76)", async () => {
    const path = join(samples, "unionpay/INN17071888ZM_898319849000018");
    if (!existsSync(path)) return;
    const first = (await parseSample(path)).records[0];
    expect(first).toMatchObject({
      type: "line",
      grossMinor: 2500000,
      feeMinor: 24,
      netMinor: 2499976,
      direction: "credit",
      valueDate: "2017-07-18",
      merchantId: "898319849000018",
    });
  });
});
