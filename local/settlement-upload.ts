import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { acquirerIdSchema } from "../functions/domain/confirmation/confirmation.js";
import { settlementFormatParsers } from "../functions/domain/settlement-files/format-registry.js";
import type { SettlementFormat } from "../functions/domain/settlement-files/settlement-record.js";
import { UnreadableFileError } from "../functions/domain/settlement-files/settlement-record.js";
import { checkDate, type InputLimits } from "../functions/domain/validation/input-limits.js";
import { type HttpResponse, json } from "../functions/http/http-types.js";
import {
  type IngestSettlementFileDeps,
  ingestSettlementFile,
  type SettlementFileResult,
} from "../functions/use-cases/ingest-settlement-file.js";

/** Settlement files are kept under the inbox by their sha256, like the S3 bucket keeps them in AWS. */
export async function storeInInbox(
  body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  inboxDir: string,
): Promise<{ fileId: string; path: string; bytes: number }> {
  await mkdir(inboxDir, { recursive: true });
  const temporary = join(inboxDir, `.upload-${randomUUID()}`);
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(body as NodeJS.ReadableStream, tap, createWriteStream(temporary));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const fileId = hash.digest("hex");
  const path = join(inboxDir, fileId);
  await rename(temporary, path);
  return { fileId, path, bytes };
}

const KNOWN_FORMATS = new Set<string>(settlementFormatParsers.map((parser) => parser.format));

export interface SettlementUploadOptions {
  acquirer: string;
  format?: string | undefined;
  fileName?: string | undefined;
  fileDay?: string | undefined;
}

/** Validates the upload's parameters; a message naming the parameter when one is wrong. */
export function uploadOptionsProblem(
  options: SettlementUploadOptions,
  limits: { now?: Date; inputLimits?: InputLimits | undefined } = {},
): string | undefined {
  if (!acquirerIdSchema.safeParse(options.acquirer).success) {
    return "acquirer: required, 1-32 characters: lower-case letters, digits or '-'";
  }
  if (options.format && options.format !== "auto" && !KNOWN_FORMATS.has(options.format)) {
    return `format: unknown "${options.format}"; one of auto, ${[...KNOWN_FORMATS].join(", ")}`;
  }
  if (options.fileDay !== undefined) {
    const day = checkDate(options.fileDay, { now: limits.now ?? new Date(), limits: limits.inputLimits });
    if (!day.ok) return `fileDay: ${day.message}`;
  }
  return undefined;
}

/** Ingests a file already in the inbox: what the S3-triggered Lambda does in AWS. */
export async function ingestInboxFile(
  stored: { fileId: string; path: string },
  options: SettlementUploadOptions,
  deps: IngestSettlementFileDeps,
): Promise<SettlementFileResult> {
  return await ingestSettlementFile(
    {
      fileId: stored.fileId,
      acquirer: options.acquirer,
      fileName: options.fileName,
      format: (options.format ?? "auto") as SettlementFormat | "auto",
      fileDay: options.fileDay,
      open: () => createReadStream(stored.path),
    },
    deps,
  );
}

/** POST /v1/settlement-files?acquirer=…[&format=…&fileName=…&fileDay=…] with the file as the body (local only). */
export async function handleSettlementUpload(
  incoming: IncomingMessage,
  url: URL,
  inboxDir: string,
  deps: IngestSettlementFileDeps,
): Promise<HttpResponse> {
  const options: SettlementUploadOptions = {
    acquirer: url.searchParams.get("acquirer") ?? "",
    format: url.searchParams.get("format") ?? undefined,
    fileName: url.searchParams.get("fileName") ?? undefined,
    fileDay: url.searchParams.get("fileDay") ?? undefined,
  };
  const problem = uploadOptionsProblem(options, { now: deps.clock.now(), inputLimits: deps.inputLimits });
  if (problem) {
    incoming.resume();
    return json(400, { error: problem });
  }
  const stored = await storeInInbox(incoming, inboxDir);
  if ((await stat(stored.path)).size === 0)
    return json(400, { error: "the body is empty: send the file's bytes" });
  try {
    const result = await ingestInboxFile(stored, options, deps);
    return json(result.duplicate ? 200 : 201, result);
  } catch (error) {
    if (error instanceof UnreadableFileError) {
      return json(422, { error: error.message, fileId: stored.fileId });
    }
    throw error;
  }
}
