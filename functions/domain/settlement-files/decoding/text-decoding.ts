/**
 * Bytes → text, detecting the encoding as the bytes arrive: BOMs (UTF-8, UTF-16), else UTF-8 when
 * the first non-ASCII bytes are valid UTF-8, else GB18030 (a superset of GBK: Alipay, UnionPay and
 * most Chinese bank exports) when the non-ASCII bytes pair up as GB2312 characters, else Windows-1252
 * (a guess: Windows-1250/CP852 files need the `encoding` option). The decision
 * is taken at the first non-ASCII byte, not on a fixed-size head, so a GBK file whose first 100 KB are
 * ASCII (a UnionPay ZM file) is still decoded right. Decoding is streaming: memory stays at one chunk.
 */
import { isAscii } from "node:buffer";
import { createRequire } from "node:module";

/**
 * Encodings the reader may report or be told to use: any WHATWG encoding label (the runtime's own
 * TextDecoder: utf-8, utf-16le/be, gbk, gb18030, big5, windows-125x, iso-8859-x, ...), and where the
 * iconv-lite package is installed (the CLI, not the Lambda bundles) any iconv-lite name too (cp852).
 */
export type DetectedEncoding = "utf-8" | "utf-16le" | "utf-16be" | "gb18030" | "windows-1252" | string;

interface ChunkDecoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

interface IconvLite {
  encodingExists(name: string): boolean;
  getDecoder(
    name: string,
    options: { stripBOM: boolean },
  ): { write(bytes: Buffer): string; end(): string | undefined };
}

/**
 * iconv-lite, only where it is installed. The module name is not a literal, so bundlers leave it out:
 * its 480 KB of tables are not worth shipping to Lambda for the few encodings TextDecoder lacks.
 */
function optionalIconv(): IconvLite | undefined {
  const moduleName = ["iconv", "lite"].join("-");
  try {
    return createRequire(import.meta.url)(moduleName) as IconvLite;
  } catch {
    return undefined;
  }
}

function decoderFor(encoding: string): ChunkDecoder {
  const name = encoding.toLowerCase();
  let native: InstanceType<typeof TextDecoder> | undefined;
  try {
    // Strips a BOM like iconv-lite's stripBOM did.
    native = new TextDecoder(name);
  } catch {
    native = undefined;
  }
  if (native) {
    const d = native;
    return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
  }
  const iconv = optionalIconv();
  if (!iconv?.encodingExists(name)) {
    throw new RangeError(
      `unknown text encoding ${JSON.stringify(encoding)}${iconv ? "" : " (only WHATWG encodings such as gb18030, big5, windows-1250 are available here)"}`,
    );
  }
  const d = iconv.getDecoder(name, { stripBOM: true });
  return {
    write: (b) => d.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    end: () => d.end() ?? "",
  };
}

/** How many bytes after the first non-ASCII byte are examined before deciding. */
const SAMPLE_BYTES = 4096;

/** Bytes 2-4 of a UTF-8 sequence: the range of the first continuation byte depends on the lead. */
function continuationRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf]; // no overlong forms
  if (lead === 0xed) return [0x80, 0x9f]; // no surrogates
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f]; // nothing above U+10FFFF
  return [0x80, 0xbf];
}

/**
 * Counts the well-formed multi-byte UTF-8 characters, the ill-formed sequences (each once, as a
 * decoder replaces it by one U+FFFD) and the corrupted spots (runs of adjacent ill-formed sequences:
 * one stray byte inside a character leaves up to three). A sequence cut at the end of the sample
 * stops the count.
 */
function utf8Counts(bytes: Uint8Array): { valid: number; invalid: number; spots: number } {
  let valid = 0;
  let invalid = 0;
  let spots = 0;
  let inSpot = false;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      inSpot = false;
      i++;
      continue;
    }
    const length =
      lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 1;
    let j = 1;
    for (; j < length; j++) {
      const next = bytes[i + j];
      if (next === undefined) return { valid, invalid, spots }; // cut at the end of the sample
      const [low, high] = j === 1 ? continuationRange(lead) : [0x80, 0xbf];
      if (next < low || next > high) break;
    }
    if (length > 1 && j === length) {
      valid++;
      inSpot = false;
    } else {
      invalid++;
      if (!inSpot) spots++;
      inSpot = true;
    }
    i += j;
  }
  return { valid, invalid, spots };
}

/**
 * Share of non-ASCII byte pairs that look like GB2312 hanzi/punctuation: lead 0x81-0xFE and trail
 * 0xA1-0xFE. Real Chinese text is almost all such pairs; Latin text in Windows-125x has accented
 * letters followed by ASCII ("Mü-ller" = FC 6C), which GBK would also accept but as rare ideographs.
 */
function gb2312PairShare(bytes: Uint8Array): number {
  let pairs = 0;
  let other = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    const next = bytes[i + 1];
    if (next === undefined) break; // cut at the end of the sample
    if (b >= 0x81 && b <= 0xfe && next >= 0xa1 && next <= 0xfe) pairs++;
    else other++;
    i += b >= 0x81 && b <= 0xfe ? 2 : 1;
  }
  return pairs + other === 0 ? 0 : pairs / (pairs + other);
}

const isLetterByte = (b: number | undefined): boolean =>
  b !== undefined && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b >= 0xc0);

/**
 * Central European text (Polish, Czech, Hungarian...) in ISO-8859-2 / Windows-1250: letters such as
 * Ł (A3), Ś (A6), Ą (A1) sit where Windows-1252 has symbols (£ ¦ ¡), so these bytes stand between
 * letters ("OP£ATA"); Western text has them, if at all, beside digits and spaces. German äöüß are the
 * same bytes in all three encodings, so a German file never looks Central European.
 */
function centralEuropeanEncoding(bytes: Uint8Array): DetectedEncoding | null {
  let high = 0;
  let inWord = 0;
  let c1 = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) continue;
    high++;
    if (b <= 0x9f) c1 = true;
    if (b >= 0xa1 && b <= 0xbf && isLetterByte(bytes[i - 1]) && isLetterByte(bytes[i + 1])) inWord++;
  }
  if (inWord === 0 || inWord * 10 < high) return null;
  // ISO-8859-2 has control codes at 80-9F; Windows-1250 puts Š Ś Ť Ž Ź there.
  return c1 ? "windows-1250" : "iso-8859-2";
}

/**
 * Picks the encoding of a sample that starts at the first non-ASCII byte: UTF-8 when valid, else
 * GB18030 when it reads as Chinese, else UTF-8 still when well-formed multi-byte characters
 * outnumber the corrupted spots two to one (a UTF-8 file with a damaged byte stays UTF-8: the byte
 * decodes as U+FFFD and its line is rejected, see undecodable-lines.ts, instead of the whole file
 * turning into Windows-1252 mojibake), else ISO-8859-2 / Windows-1250 when it reads as Central
 * European, else Windows-1252. GBK is judged before the lenient UTF-8 rule because some of its
 * characters are well-formed UTF-8 by accident; UTF-8 Chinese scores about 0.55 on the pair share.
 */
export function guessEncoding(sample: Uint8Array): DetectedEncoding {
  const { valid, invalid, spots } = utf8Counts(sample);
  if (invalid === 0) return "utf-8";
  if (gb2312PairShare(sample) >= 0.8) return "gb18030";
  if (valid > 0 && valid >= 2 * spots) return "utf-8";
  return centralEuropeanEncoding(sample) ?? "windows-1252";
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Streaming decoder that settles its encoding on the first non-ASCII bytes (or a BOM, or what it
 * is told). `encoding` is null until it has settled (pure ASCII so far).
 */
export class AdaptiveTextDecoder {
  encoding: DetectedEncoding | null = null;
  private decoder: ChunkDecoder | null = null;
  /** Bytes held back while undecided: a possible BOM start, or the non-ASCII sample. */
  private held: Uint8Array = new Uint8Array(0);
  private bomChecked = false;

  constructor(forced?: string) {
    if (forced) {
      this.encoding = forced.toLowerCase();
      this.decoder = decoderFor(forced);
      this.bomChecked = true;
    }
  }

  write(chunk: Uint8Array): string {
    if (this.decoder) return this.decoder.write(chunk);
    const bytes = this.held.length > 0 ? concat(this.held, chunk) : chunk;
    this.held = new Uint8Array(0);
    if (!this.bomChecked) {
      if (bytes.length < 3) {
        this.held = bytes;
        return "";
      }
      this.bomChecked = true;
      const bom = bomEncoding(bytes);
      if (bom) return this.settle(bom, bytes);
    }
    const firstHigh = firstNonAscii(bytes);
    if (firstHigh < 0) return asciiText(bytes);
    const sample = bytes.subarray(firstHigh);
    if (sample.length < SAMPLE_BYTES) {
      // Wait for more bytes to judge; emit the ASCII before them now.
      this.held = sample;
      return asciiText(bytes.subarray(0, firstHigh));
    }
    return asciiText(bytes.subarray(0, firstHigh)) + this.settle(guessEncoding(sample), sample);
  }

  end(): string {
    if (this.decoder) return this.decoder.end();
    const bytes = this.held;
    this.held = new Uint8Array(0);
    if (bytes.length === 0) return "";
    const bom = this.bomChecked ? null : bomEncoding(bytes);
    if (bom) return this.settle(bom, bytes) + this.endDecoder();
    const firstHigh = firstNonAscii(bytes);
    if (firstHigh < 0) return asciiText(bytes);
    const sample = bytes.subarray(firstHigh);
    return (
      asciiText(bytes.subarray(0, firstHigh)) + this.settle(guessEncoding(sample), sample) + this.endDecoder()
    );
  }

  /**
   * Settles the encoding from these bytes as write() would, without keeping their text: the
   * distributed plan's pass learns the file's encoding this way and tells it to every chunk worker
   * (a chunk alone would judge its own first non-ASCII bytes, which may read otherwise).
   */
  observe(chunk: Uint8Array): void {
    if (this.decoder) return;
    if (this.bomChecked && this.held.length === 0 && isAscii(chunk)) return; // ASCII decides nothing
    this.write(chunk);
  }

  /** True while bytes are held back undecided: a possible BOM, or a non-ASCII sample still too short. */
  get deciding(): boolean {
    return this.decoder === null && this.held.length > 0;
  }

  private endDecoder(): string {
    return this.decoder?.end() ?? "";
  }

  private settle(encoding: DetectedEncoding, bytes: Uint8Array): string {
    this.encoding = encoding;
    this.decoder = decoderFor(encoding);
    return this.decoder.write(bytes);
  }
}

function bomEncoding(bytes: Uint8Array): DetectedEncoding | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return null;
}

/** Index of the first byte ≥ 0x80, -1 for none (the native ASCII check first: most chunks are ASCII). */
function firstNonAscii(bytes: Uint8Array): number {
  return isAscii(bytes) ? -1 : bytes.findIndex((b) => b >= 0x80);
}

function asciiText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** Decodes a byte stream to text chunks (see AdaptiveTextDecoder). `onEncoding` learns the choice. */
export async function* decodeText(
  bytes: AsyncIterable<Uint8Array>,
  options: { encoding?: string; onEncoding?: (encoding: DetectedEncoding) => void } = {},
): AsyncGenerator<string, void, undefined> {
  const decoder = new AdaptiveTextDecoder(options.encoding);
  let reported = false;
  const report = () => {
    if (!reported && decoder.encoding !== null) {
      reported = true;
      options.onEncoding?.(decoder.encoding);
    }
  };
  for await (const chunk of bytes) {
    const text = decoder.write(chunk);
    report();
    if (text !== "") yield text;
  }
  const text = decoder.end();
  if (decoder.encoding === null) decoder.encoding = "utf-8"; // pure ASCII
  report();
  if (text !== "") yield text;
}
