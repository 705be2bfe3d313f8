/**
 * Acquirer CSV mappings that ship with settlewatch (config can add more; config ones are tried
 * first). They double as worked examples of the mapping format.
 */
import { AcquirerCsvMapping, type AcquirerCsvMappingInput } from "./acquirer-csv-mapping.js";

const CHINAUMS_KINDS = { 消费: "payment", 退货: "refund", 撤销: "refund", 消费撤销: "refund" } as const;

const inputs: AcquirerCsvMappingInput[] = [
  {
    // China UMS (银联商务) merchant-portal export "对账明细查询结果": TAB-separated, 3-line preamble,
    // header row, `总笔数：…` footer with the totals.
    acquirer: "chinaums-portal",
    delimiter: "\t",
    columns: {
      reference: "参考号",
      merchantReference: ["商户订单号", "银商订单号"],
      merchantId: "商户号",
      gross: "交易金额",
      net: ["清算金额", "结算金额"],
      fee: "手续费",
      valueDate: "清算日期",
      kind: "交易类型",
    },
    defaultCurrency: "CNY",
    valueDateFormat: "YYYYMMDD",
    kindValues: CHINAUMS_KINDS,
    ignoreLines: ["^对账明细查询结果", "^集团名称", "^清算日期从"],
    controlLine:
      "^总笔数[：:]\\t*(?<count>\\d+)\\t*交易金额[：:]\\t*(?<gross>-?[\\d.]+)\\t*结算金额[：:]\\t*(?<net>-?[\\d.]+)\\t*手续费[：:]\\t*(?<fee>-?[\\d.]+)",
    maxPreambleLines: 5,
  },
  {
    // The same portal's headerless variant (21 TAB-separated columns, TAB-only preamble lines and
    // "对账明细查询结果…" marker lines at the end). Columns 15-21 are unnamed in the export; the 19th
    // holds a second amount whose meaning is not documented.
    acquirer: "chinaums-portal-headerless",
    delimiter: "\t",
    columnNames: [
      "清算日期",
      "交易日期",
      "交易时间",
      "交易金额",
      "终端号",
      "清算金额",
      "手续费",
      "流水号",
      "交易类型",
      "参考号",
      "卡号",
      "商户号",
      "发卡行",
      "卡类型",
      "列15",
      "列16",
      "列17",
      "列18",
      "列19金额",
      "列20",
      "列21",
    ],
    columns: {
      reference: "参考号",
      merchantId: "商户号",
      gross: "交易金额",
      net: "清算金额",
      fee: "手续费",
      valueDate: "清算日期",
      kind: "交易类型",
    },
    defaultCurrency: "CNY",
    valueDateFormat: "YYYYMMDD",
    kindValues: CHINAUMS_KINDS,
    ignoreLines: ["^对账明细查询结果"],
  },
  {
    // China UMS acquirer clearing detail (清算明细) CSV: ISO 8583 fields by name (参考号bit37 = RRN),
    // 交易类型 is the processing code (000000 purchase, 200000 refund); no net column (net = gross − fee).
    acquirer: "chinaums-clearing",
    delimiter: ",",
    columns: {
      reference: "参考号bit37",
      merchantReference: "订单号",
      merchantId: "结算商户编号",
      gross: "交易金额",
      fee: "商户手续费",
      valueDate: "清算日期",
      kind: "交易类型",
    },
    defaultCurrency: "CNY",
    valueDateFormat: "YYYYMMDD",
    kindValues: { "000000": "payment", "200000": "refund" },
  },
];

export const builtInAcquirerCsvMappings: readonly AcquirerCsvMapping[] = inputs.map((m) =>
  AcquirerCsvMapping.parse(m),
);
