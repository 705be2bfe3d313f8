/**
 * WeChat Pay bill lines: comma-separated, never quoted, every data/summary value prefixed with a
 * backtick so Excel keeps long ids as text. Splitting on ",`" (not ",") keeps commas inside 商品名称 /
 * 商户数据包 in their field.
 */
export function splitWechatLine(line: string): string[] {
  if (line.charCodeAt(0) !== 96 /* ` */) return line.split(",");
  const fields = line.slice(1).split(",`");
  return fields;
}

/**
 * The header line without what downloads put in front of it: a UTF-8 BOM, or the literal "?" a BOM
 * becomes when an HTTP client decoded the bytes with the wrong charset.
 */
export function stripBillPrefix(line: string): string {
  return line.replace(/^\uFEFF/, "").replace(/^\?(?=[\u4e00-\u9fff])/, "");
}

/** WeChat's old docs wrote times with full-width colons (16：33：45). */
export function normalizeWechatTime(raw: string): string {
  return raw.replace(/：/g, ":").trim();
}

/** The first non-blank line of a text head, with the BOM / "?" prefix removed. */
export function firstLine(head: string): string {
  for (const line of head.split(/\r\n|\r|\n/, 20)) {
    const text = stripBillPrefix(line).trim();
    if (text !== "") return text;
  }
  return "";
}
