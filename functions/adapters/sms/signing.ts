import { createHash, createHmac } from "node:crypto";

// Request signing of the two mainland providers' HTTP APIs, as documented, so the notifier needs
// neither SDK (the Alibaba Cloud SDK alone would push the notifier bundle past 1 MiB).

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 percent-encoding as Alibaba Cloud canonicalizes it: only A-Z a-z 0-9 - _ . ~ stay. */
export function acsPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The query string as signed (sorted, encoded): send exactly this, so both sides sign the same bytes. */
export function acsCanonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${acsPercentEncode(key)}=${acsPercentEncode(query[key] ?? "")}`)
    .join("&");
}

export interface Acs3Request {
  method: "GET" | "POST";
  host: string;
  path?: string;
  query: Readonly<Record<string, string>>;
  body?: string;
  action: string;
  version: string;
  /** ISO 8601 UTC without milliseconds, e.g. 2023-10-26T09:01:01Z. */
  date: string;
  nonce: string;
}

/**
 * Alibaba Cloud signature V3 (ACS3-HMAC-SHA256): the headers to send, Authorization included.
 * Canonical request = method, path, sorted encoded query, the x-acs-* and host headers (lowercase,
 * sorted, "name:value\n"), their names joined by ";", and the hex SHA-256 of the body; the string
 * to sign is "ACS3-HMAC-SHA256\n" + hex SHA-256 of it, signed with HMAC-SHA256 of the secret.
 */
export function signAcs3(
  request: Acs3Request,
  credentials: { accessKeyId: string; accessKeySecret: string },
): Record<string, string> {
  const headers: Record<string, string> = {
    host: request.host,
    "x-acs-action": request.action,
    "x-acs-content-sha256": sha256Hex(request.body ?? ""),
    "x-acs-date": request.date,
    "x-acs-signature-nonce": request.nonce,
    "x-acs-version": request.version,
  };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${(headers[name] ?? "").trim()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalQuery = acsCanonicalQuery(request.query);
  const canonicalRequest = [
    request.method,
    request.path ?? "/",
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    headers["x-acs-content-sha256"],
  ].join("\n");
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = hmac(credentials.accessKeySecret, stringToSign).toString("hex");
  return {
    ...headers,
    authorization: `ACS3-HMAC-SHA256 Credential=${credentials.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`,
  };
}

export interface Tc3Request {
  host: string;
  service: string;
  /** Unix seconds (X-TC-Timestamp); the credential scope's date is its UTC day. */
  timestamp: number;
  payload: string;
  contentType: string;
  /** Headers signed besides content-type and host, lowercase name → value (e.g. x-tc-action). */
  extraSignedHeaders?: Readonly<Record<string, string>>;
}

/**
 * Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) for a POST: returns the Authorization header.
 * Signing key = HMAC chain "TC3"+SecretKey → date → service → "tc3_request".
 */
export function signTc3(request: Tc3Request, credentials: { secretId: string; secretKey: string }): string {
  const headers: Record<string, string> = {
    "content-type": request.contentType,
    host: request.host,
    ...request.extraSignedHeaders,
  };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${(headers[name] ?? "").toLowerCase()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    "POST",
    "/",
    "",
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.payload),
  ].join("\n");
  const date = new Date(request.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${request.timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const secretDate = hmac(`TC3${credentials.secretKey}`, date);
  const secretSigning = hmac(hmac(secretDate, request.service), "tc3_request");
  const signature = hmac(secretSigning, stringToSign).toString("hex");
  return `TC3-HMAC-SHA256 Credential=${credentials.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
