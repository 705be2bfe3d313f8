/**
 * Fixed-width GBK files (UnionPay ZM) give field offsets in bytes. Instead of re-encoding each record
 * with an encoder's large tables, this rebuilds the record's bytes from the text: ASCII is one byte,
 * a character in GBK's two-byte range keeps its exact two bytes, anything else is four bytes in
 * GB18030. The two-byte table is built once from the runtime's own GB18030 decoder.
 */
let twoByte: Map<string, number> | undefined;

function twoByteTable(): Map<string, number> {
  if (twoByte) return twoByte;
  const table = new Map<string, number>();
  const decoder = new TextDecoder("gb18030", { fatal: true });
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      let text: string;
      try {
        text = decoder.decode(pair);
      } catch {
        continue;
      }
      if (text.length === 1 && !table.has(text)) table.set(text, (lead << 8) | trail);
    }
  }
  twoByte = table;
  return table;
}

/**
 * The GB18030 bytes of `text` where it matters for offsets: ASCII and two-byte characters exactly;
 * a four-byte character as four placeholder bytes (0x81 0x30 0x81 0x30), so later offsets stay right.
 */
export function encodeGb18030(text: string): Buffer {
  const table = twoByteTable();
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) {
      out.push(code);
      continue;
    }
    const bytes = table.get(char);
    if (bytes !== undefined) out.push(bytes >> 8, bytes & 0xff);
    else out.push(0x81, 0x30, 0x81, 0x30);
  }
  return Buffer.from(out);
}
