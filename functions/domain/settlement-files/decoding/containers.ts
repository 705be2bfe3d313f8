/**
 * Unwraps what settlement files arrive in: gzip (WeChat `tar_type=GZIP`, S3 uploads) and zip
 * (Alipay `csv.zip` with a detail and a 汇总 summary entry, UnionPay file-transfer zips).
 * Pure byte transforms over async iterables - no file system, no network.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import yauzl from "yauzl";
import { UnreadableFileError } from "../settlement-record.js";
import { prefetch } from "../text/prefetch.js";

export type Container = "gzip" | "zip" | "none";

export function containerOf(head: Uint8Array): Container {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "zip";
  // An empty zip (only the end-of-central-directory record) holds nothing to read.
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x05 && head[3] === 0x06) return "zip";
  return "none";
}

/**
 * Reads the first `n` bytes without losing them: `rest` replays them, then the remaining source.
 */
export async function peekBytes(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const { head, replay } = await prefetch(source, (chunk) => chunk.length, n);
  return { head: Buffer.concat(head).subarray(0, n), rest: replay };
}

/** Gunzips a byte stream (multi-member gzip included). A corrupt or truncated gzip is unreadable. */
export async function* gunzip(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const gunzipper = createGunzip();
  const feeding = pipeline(Readable.from(source, { objectMode: false }), gunzipper).catch(
    (error: unknown) => error,
  );
  try {
    for await (const chunk of gunzipper) yield chunk as Uint8Array;
  } catch (error) {
    throw new UnreadableFileError(`gzip data is corrupt or truncated (${describe(error)})`);
  }
  const failure = await feeding;
  if (failure) throw new UnreadableFileError(`gzip data is corrupt or truncated (${describe(failure)})`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ZipOptions {
  /** Pick the entry whose name contains this text (else the detail entry is chosen as below). */
  entry?: string;
  /**
   * A zip's directory is at its end, so the compressed bytes are held in memory while the chosen
   * entry is inflated as a stream. Files larger than this are refused (default 256 MiB compressed).
   */
  maxBytes?: number;
}

export interface ZipEntryStream {
  name: string;
  bytes: AsyncIterable<Uint8Array>;
}

/** Entry names: UTF-8 when flagged (bit 11) or valid, else GBK - Alipay writes GBK names unflagged. */
function entryName(raw: Buffer | string, flags: number): string {
  if (typeof raw === "string") return raw;
  if (flags & 0x800) return raw.toString("utf8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return new TextDecoder("gb18030").decode(raw);
  }
}

const SUMMARY_ENTRY = /汇总|summary/i;
const PREFERRED_ENTRY = /(明细|ZM_|detail|settlement|bill).*$/i;

/**
 * The entry to read: `entry` when given; else the one non-summary file (Alipay puts
 * `…_业务明细.csv` next to `…_业务明细(汇总).csv`, sometimes summary first); when several remain,
 * the one whose name says it is a detail/ZM file.
 */
export function chooseZipEntry(names: readonly string[], wanted?: string): string {
  const files = names.filter((n) => !n.endsWith("/"));
  if (wanted !== undefined) {
    const hit = files.find((n) => n.includes(wanted));
    if (hit === undefined)
      throw new UnreadableFileError(
        `zip has no entry matching ${JSON.stringify(wanted)}: ${files.join(", ")}`,
      );
    return hit;
  }
  const details = files.filter((n) => !SUMMARY_ENTRY.test(n));
  if (details.length === 1 && details[0] !== undefined) return details[0];
  const preferred = details.filter((n) => PREFERRED_ENTRY.test(n) && !/ZME_/.test(n));
  if (preferred.length === 1 && preferred[0] !== undefined) return preferred[0];
  throw new UnreadableFileError(
    details.length === 0
      ? `zip holds no detail entry (only: ${files.join(", ") || "nothing"})`
      : `zip holds several candidate entries (${details.join(", ")}): name the one to read`,
  );
}

/** Opens the chosen entry of a zip byte stream and streams its inflated bytes. */
export async function openZipEntry(
  source: AsyncIterable<Uint8Array>,
  options: ZipOptions = {},
): Promise<ZipEntryStream> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > maxBytes) throw new UnreadableFileError(`zip larger than ${maxBytes} bytes: unzip it first`);
    parts.push(chunk);
  }
  const buffer = Buffer.concat(parts);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true, decodeStrings: false }, (error, file) =>
      error ? reject(new UnreadableFileError(`not a readable zip (${error.message})`)) : resolve(file),
    ),
  );
  const entries = await new Promise<{ name: string; entry: yauzl.Entry }[]>((resolve, reject) => {
    const found: { name: string; entry: yauzl.Entry }[] = [];
    zip.on("entry", (entry: yauzl.Entry) => {
      found.push({ name: entryName(entry.fileName as Buffer | string, entry.generalPurposeBitFlag), entry });
      zip.readEntry();
    });
    zip.on("end", () => resolve(found));
    zip.on("error", (error: Error) =>
      reject(new UnreadableFileError(`zip directory is corrupt (${error.message})`)),
    );
    zip.readEntry();
  });
  const name = chooseZipEntry(
    entries.map((e) => e.name),
    options.entry,
  );
  const chosen = entries.find((e) => e.name === name);
  if (!chosen) throw new UnreadableFileError(`zip entry ${name} vanished`);
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(chosen.entry, (error, s) =>
      error
        ? reject(new UnreadableFileError(`cannot read zip entry ${name} (${error.message})`))
        : resolve(s),
    ),
  );
  async function* bytes(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (error) {
      throw new UnreadableFileError(`zip entry ${name} is corrupt (${describe(error)})`);
    } finally {
      zip.close();
    }
  }
  return { name, bytes: bytes() };
}
