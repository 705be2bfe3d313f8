import { createHash } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { checkDate, type InputLimits } from "../../domain/validation/input-limits.js";
import type { SettlementFileReader } from "../../use-cases/settlement-ports.js";
import { systemClock } from "../clock/system-clock.js";

/** Where a dropped file says who sent it: `incoming/<acquirer>/[<YYYY-MM-DD>/]<file name>`. */
export interface SettlementObjectKey {
  acquirer: string;
  fileDay?: string | undefined;
  fileName: string;
}

export class SettlementKeyError extends Error {
  override name = "SettlementKeyError";
}

/** Reads the acquirer (and optionally the file's day) from an S3 key; the message says the expected layout. */
export function parseSettlementObjectKey(
  rawKey: string,
  options: { now?: Date; limits?: InputLimits | undefined } = {},
): SettlementObjectKey {
  // S3 event keys are URL-encoded with '+' for spaces.
  const key = decodeURIComponent(rawKey.replace(/\+/g, " "));
  const parts = key.split("/");
  const [prefix, acquirer, ...rest] = parts;
  const fileName = rest.at(-1);
  if (
    prefix !== "incoming" ||
    !acquirer ||
    !/^[a-z0-9-]{1,32}$/.test(acquirer) ||
    !fileName ||
    rest.length > 2
  ) {
    throw new SettlementKeyError(
      `object key "${key}" is not incoming/<acquirer>/[<YYYY-MM-DD>/]<file name> (acquirer: lower-case letters, digits, '-')`,
    );
  }
  const day = rest.length === 2 ? rest[0] : undefined;
  const checked =
    day === undefined
      ? undefined
      : checkDate(day, { now: options.now ?? systemClock.now(), limits: options.limits });
  if (checked && !checked.ok) {
    throw new SettlementKeyError(
      `object key "${key}": the folder after the acquirer must be a day, YYYY-MM-DD: ${checked.message}`,
    );
  }
  return { acquirer, fileDay: day, fileName };
}

/** Streams an S3 object (the same version every time it is opened, so a resumed read sees the same bytes). */
export function openObject(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): () => AsyncIterable<Uint8Array> {
  return () => ({
    async *[Symbol.asyncIterator]() {
      const { Body } = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
      );
      if (!Body) return;
      for await (const chunk of Body as AsyncIterable<Uint8Array>) yield chunk;
    },
  });
}

/**
 * Reads bytes [start, end) of an S3 object with one ranged GET (`Range: bytes=start-(end-1)`), of the
 * given version so a chunk worker never mixes in bytes of a newer upload under the same key. An
 * empty range sends no request (S3 would answer an empty Range with the whole object).
 */
export function openObjectRange(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): (start: number, end: number) => AsyncIterable<Uint8Array> {
  return (start, end) => ({
    async *[Symbol.asyncIterator]() {
      if (end <= start) return;
      const { Body } = await s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: `bytes=${start}-${end - 1}`,
          ...(versionId ? { VersionId: versionId } : {}),
        }),
      );
      const wanted = end - start;
      let read = 0;
      for await (const chunk of (Body ?? []) as AsyncIterable<Uint8Array>) {
        read += chunk.length;
        // More bytes than asked: the range was ignored; reading on would take lines of another range.
        if (read > wanted) break;
        yield chunk;
      }
      if (read !== wanted) {
        throw new Error(
          `s3://${bucket}/${key}: asked bytes ${start}-${end - 1} (${wanted}), got ${read}${read > wanted ? "+" : ""}`,
        );
      }
    },
  });
}

/** sha256 of a stream, read once: the file's identity, whatever its key or how often it is delivered. */
export async function sha256Of(bytes: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of bytes) hash.update(chunk);
  return hash.digest("hex");
}

/** The stored settlement files of one bucket layout, read by version (see openObject, openObjectRange). */
export function s3SettlementFileReader(s3: S3Client): SettlementFileReader {
  return {
    open: (file) => openObject(s3, file.bucket, file.key, file.versionId),
    openRange: (file) => openObjectRange(s3, file.bucket, file.key, file.versionId),
  };
}
