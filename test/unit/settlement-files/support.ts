import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateRawSync } from "node:zlib";
import iconv from "iconv-lite";
import {
  type ReadSettlementFileOptions,
  readSettlementFile,
} from "../../../functions/domain/settlement-files/decoding/read-settlement-file.js";
import type {
  ParsedRecord,
  ParseSummary,
  RejectedRecord,
  SettlementLine,
} from "../../../functions/domain/settlement-files/settlement-record.js";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/settlement-files");

export function fixture(path: string): Buffer {
  return readFileSync(join(FIXTURES, path));
}

export function fixtureText(path: string): string {
  return fixture(path).toString("utf8");
}

/** The bytes as a stream of chunks of `size` bytes (1 = the nastiest split). */
export async function* chunksOf(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

export async function* textChunks(text: string, size = 1 << 20): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

export interface ReadResult {
  records: ParsedRecord[];
  lines: SettlementLine[];
  rejected: RejectedRecord[];
  summary: ParseSummary;
}

export async function readAll(
  bytes: Uint8Array | string,
  options: ReadSettlementFileOptions = {},
  chunkSize?: number,
): Promise<ReadResult> {
  const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  const records: ParsedRecord[] = [];
  for await (const record of readSettlementFile(chunksOf(data, chunkSize), options)) records.push(record);
  const summary = records.at(-1);
  if (summary?.type !== "summary") throw new Error("no summary last");
  return {
    records,
    lines: records.filter((r): r is SettlementLine => r.type === "line"),
    rejected: records.filter((r): r is RejectedRecord => r.type === "rejected"),
    summary,
  };
}

export function gbk(text: string): Buffer {
  return iconv.encode(text, "gbk");
}

export interface ZipEntrySpec {
  name: string;
  data: Uint8Array;
  /** Encode the name in GBK without the UTF-8 flag (what Alipay does). */
  gbkName?: boolean;
  /** Write sizes in a data descriptor after the data (bit 3), as streaming zip writers do. */
  dataDescriptor?: boolean;
  stored?: boolean;
}

/** A minimal zip writer for tests (deflate or stored, optional data descriptors, GBK names). */
export function makeZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = entry.gbkName ? iconv.encode(entry.name, "gbk") : Buffer.from(entry.name, "utf8");
    const flags = (entry.gbkName ? 0 : 0x800) | (entry.dataDescriptor ? 0x8 : 0);
    const method = entry.stored ? 0 : 8;
    const body = entry.stored ? Buffer.from(entry.data) : deflateRawSync(entry.data);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(entry.dataDescriptor ? 0 : crc, 14);
    local.writeUInt32LE(entry.dataDescriptor ? 0 : body.length, 18);
    local.writeUInt32LE(entry.dataDescriptor ? 0 : entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const parts = [local, name, body];
    if (entry.dataDescriptor) {
      const dd = Buffer.alloc(16);
      dd.writeUInt32LE(0x08074b50, 0);
      dd.writeUInt32LE(crc, 4);
      dd.writeUInt32LE(body.length, 8);
      dd.writeUInt32LE(entry.data.length, 12);
      parts.push(dd);
    }
    const localBytes = Buffer.concat(parts);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(Buffer.concat([central, name]));
    locals.push(localBytes);
    offset += localBytes.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
