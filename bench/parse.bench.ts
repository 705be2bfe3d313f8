/**
 * Settlement-file reader throughput and memory, in one run:
 * 1. MB/s of readSettlementFile (decoding, format detection, money/date parsing, records) next to
 *    csv-parse alone (field splitting only) on the same bytes - an acquirer CSV and a WeChat bill.
 *    Target: ours ≥ 0.5× csv-parse.
 * 2. Peak RSS of a child process parsing a 1,000,000-line file end to end. Target: ≤ 200 MB.
 * Files are generated in bench/out/ (git-ignored).
 * Run: node bin/run-ts.js bench/parse.bench.ts [lines-for-throughput=300000] [lines-for-rss=1000000]
 */
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  statSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse";
import { AcquirerCsvMapping } from "../functions/domain/settlement-files/acquirer/acquirer-csv-mapping.js";
import { readSettlementFile } from "../functions/domain/settlement-files/decoding/read-settlement-file.js";

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, "out", "parse");

const BENCH_MAPPING = AcquirerCsvMapping.parse({
  acquirer: "benchpay",
  columns: {
    reference: "txn_id",
    merchantReference: "order_id",
    batchReference: "payout_id",
    merchantId: "merchant_id",
    gross: "gross",
    fee: "fee",
    net: "net",
    currency: "currency",
    valueDate: "value_date",
    kind: "type",
  },
  kindValues: { SALE: "payment", REFUND: "refund" },
});

async function writeLines(path: string, header: string, lines: number, row: (i: number) => string) {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve()));
  await write(`${header}\n`);
  let buffer = "";
  for (let i = 0; i < lines; i++) {
    buffer += `${row(i)}\n`;
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = "";
    }
  }
  await write(buffer);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

const money = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;

function acquirerCsv(path: string, lines: number) {
  return writeLines(
    path,
    "txn_id,order_id,payout_id,merchant_id,value_date,type,currency,gross,fee,net,description",
    lines,
    (i) => {
      const gross = 1000 + ((i * 7919) % 500_000);
      const fee = Math.floor(gross * 0.006);
      const refund = i % 20 === 0;
      return `T${String(i).padStart(12, "0")},ORD-${i},PO-${Math.floor(i / 10_000)},M-${i % 997},2025-03-${String((i % 28) + 1).padStart(2, "0")},${refund ? "REFUND" : "SALE"},EUR,${money(gross)},${money(fee)},${money(gross - fee)},"order ${i}, web"`;
    },
  );
}

const WECHAT_HEADER =
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";

async function wechatBill(path: string, lines: number) {
  if (existsSync(path)) return;
  let settle = 0;
  let fee5 = 0;
  const row = (i: number) => {
    const amount = 100 + ((i * 7919) % 100_000); // fen
    const fee = amount * 6; // 0.6%, in 1e-5 CNY (WeChat's 5-decimal fee)
    settle += amount;
    fee5 += fee;
    const f = `${Math.floor(fee / 100_000)}.${String(fee % 100_000).padStart(5, "0")}`;
    return [
      `2025-03-01 ${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00`,
      "wx8888888888888888",
      "1900000109",
      "0",
      "",
      `42000025012025030${String(i).padStart(11, "0")}`,
      `S${i}`,
      "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
      "JSAPI",
      "SUCCESS",
      "CMB_DEBIT",
      "CNY",
      money(amount),
      "0.00",
      "0",
      "0",
      "0.00",
      "0.00",
      "",
      "",
      "商品大杯", // no comma: csv-parse would take its (very slow) inconsistent-column-count path
      "",
      f,
      "0.60%",
      money(amount),
      "0.00",
      "",
    ]
      .map((v) => `\`${v}`)
      .join(",");
  };
  await writeLines(path, WECHAT_HEADER, lines, row);
  const fee = `${Math.floor(fee5 / 100_000)}.${String(fee5 % 100_000).padStart(5, "0")}`;
  appendFileSync(
    path,
    `总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n` +
      [String(lines), money(settle), "0.00", "0.00", fee, money(settle), "0.00"]
        .map((v) => `\`${v}`)
        .join(","),
  );
}

async function timeOurs(path: string, options: Parameters<typeof readSettlementFile>[1]) {
  const start = performance.now();
  let n = 0;
  for await (const record of readSettlementFile(
    createReadStream(path, { highWaterMark: 64 * 1024 }),
    options,
  )) {
    if (record.type !== "summary") n++;
  }
  return { ms: performance.now() - start, records: n };
}

async function timeCsvParse(path: string) {
  const start = performance.now();
  let n = 0;
  const parser = createReadStream(path, { highWaterMark: 64 * 1024 }).pipe(
    parse({ relax_column_count: true, relax_quotes: true, skip_empty_lines: true }),
  );
  for await (const _ of parser) n++;
  return { ms: performance.now() - start, records: n };
}

async function throughput(label: string, path: string, options: Parameters<typeof readSettlementFile>[1]) {
  const mb = statSync(path).size / 1024 / 1024;
  // Warm up both once, then best of 3 (alternating) to keep the comparison fair.
  await timeOurs(path, options);
  await timeCsvParse(path);
  let ours = Number.POSITIVE_INFINITY;
  let theirs = Number.POSITIVE_INFINITY;
  let counts = { ours: 0, csv: 0 };
  for (let i = 0; i < 3; i++) {
    const a = await timeOurs(path, options);
    const b = await timeCsvParse(path);
    ours = Math.min(ours, a.ms);
    theirs = Math.min(theirs, b.ms);
    counts = { ours: a.records, csv: b.records };
  }
  const oursMbs = mb / (ours / 1000);
  const csvMbs = mb / (theirs / 1000);
  console.log(
    `${label.padEnd(34)} ${mb.toFixed(1).padStart(7)} MB | ours ${oursMbs.toFixed(1).padStart(6)} MB/s (${counts.ours} records) | csv-parse ${csvMbs.toFixed(1).padStart(6)} MB/s (${counts.csv} rows) | ratio ${(oursMbs / csvMbs).toFixed(2)}× (target ≥ 0.50×)`,
  );
}

/** Child mode: parse one file, print JSON with time, peak RSS, and the RSS before parsing (runtime + modules). */
async function child(path: string, kind: string) {
  const options = kind === "acquirer" ? { acquirerCsv: [BENCH_MAPPING] } : {};
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  const { ms, records } = await timeOurs(path, options);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, records, peakRssMb, baselineRssMb }));
}

async function main() {
  if (process.argv[2] === "--child") {
    await child(process.argv[3] ?? "", process.argv[4] ?? "acquirer");
    return;
  }
  const n = Number(process.argv[2] ?? 300_000);
  const big = Number(process.argv[3] ?? 1_000_000);
  console.log(
    `node ${process.version}; throughput on ${n.toLocaleString()} lines, peak RSS on ${big.toLocaleString()} lines`,
  );

  const acq = join(OUT, `acquirer-${n}.csv`);
  const wx = join(OUT, `wechat-${n}.csv`);
  await acquirerCsv(acq, n);
  await wechatBill(wx, n);
  await throughput("acquirer CSV (acquirer-csv)", acq, { acquirerCsv: [BENCH_MAPPING] });
  await throughput("WeChat ALL bill (wechat-trade)", wx, {});

  if (big <= 0) return;
  for (const [kind, make] of [
    ["acquirer", acquirerCsv],
    ["wechat", wechatBill],
  ] as const) {
    const path = join(OUT, `${kind}-${big}.csv`);
    await make(path, big);
    const run = spawnSync(
      process.execPath,
      [join(here, "..", "bin", "run-ts.js"), join(here, "parse.bench.ts"), "--child", path, kind],
      {
        encoding: "utf8",
      },
    );
    if (run.status !== 0) {
      console.error(run.stderr);
      process.exitCode = 1;
      continue;
    }
    const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as {
      ms: number;
      records: number;
      peakRssMb: number;
      baselineRssMb: number;
    };
    const mb = statSync(path).size / 1024 / 1024;
    console.log(
      `peak RSS, ${kind} ${big.toLocaleString()} lines (${mb.toFixed(0)} MB): ${result.peakRssMb.toFixed(0)} MB (target ≤ 200 MB; ${result.baselineRssMb.toFixed(0)} MB of it is node + tsx + modules before parsing), ${result.records} records in ${(result.ms / 1000).toFixed(1)} s = ${(mb / (result.ms / 1000)).toFixed(1)} MB/s`,
    );
  }
}

await main();
