import fc from "fast-check";

/** Arbitraries for HTTP fuzz tests: what any client could send, within what node:http lets through. */

const printable = fc.constantFrom(
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@%/?#[]{}|\\^`\"<>",
);

/** Methods of every kind, including ones no route has. */
export const anyMethod = fc.oneof(
  fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "post"),
  fc.stringMatching(/^[A-Z]{1,12}$/),
);

/** Ids of every kind: plausible, broken percent-encoding, any printable text, and huge ones. */
const anyId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  fc.constantFrom("%", "%Z", "%ZZ", "%E0%A4%A", "%C0%AF", "%FF", "%2F", "%00", "..", "."),
  fc.string({ unit: printable, minLength: 1, maxLength: 40 }).filter((id) => !id.includes("/")),
  fc.string({ unit: fc.constantFrom("a", "%", "Z", "9"), minLength: 257, maxLength: 12_000 }),
);

const routeShapes = fc.oneof(
  anyId.map((id) => `/v1/merchants/${id}`),
  fc.tuple(anyId, anyId).map(([acquirer, id]) => `/v1/payments/${acquirer}/${id}`),
  anyId.map((id) => `/v1/settlement-files/${id}`),
  fc.constantFrom("/v1/confirmations", "/local/check", "/v1/settlement-files", "/", "/v1", "/v1/"),
  fc
    .tuple(fc.constantFrom("/v1/settlement-files", "/v1/merchants/m-1"), fc.string({ unit: printable }))
    .map(([path, query]) => `${path}?${query}`),
);

/** Paths: the routes' shapes with hostile ids, or anything printable (node:http refuses spaces and controls). */
export const anyPath = fc.oneof(
  { weight: 3, arbitrary: routeShapes },
  { weight: 1, arbitrary: fc.string({ unit: printable, maxLength: 200 }).map((path) => `/${path}`) },
);

/** Headers a client may send; the framing ones (length, encoding, expect) are node:http's own business. */
export const anyHeaders = fc.dictionary(
  fc
    .oneof(
      fc.constantFrom("content-type", "settlewatch-signature", "accept", "authorization", "x-forwarded-for"),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    )
    .filter(
      (name) =>
        !["content-length", "transfer-encoding", "expect", "host", "connection", "upgrade"].includes(name),
    ),
  fc.string({ unit: fc.constantFrom(..." abcXYZ019=,;:/.-_\"'t"), maxLength: 80 }),
  { maxKeys: 4 },
);

/** Bodies: none, text, any JSON, objects shaped like the API's, or big ones. */
export const anyBody = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        merchantId: fc.oneof(fc.string(), fc.integer()),
        asOf: fc.oneof(fc.string(), fc.integer(), fc.constant("2026-10-09T00:00:00Z")),
        confirmations: fc.array(fc.object(), { maxLength: 3 }),
        timeZone: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((body) => JSON.stringify(body)),
  fc.string({ minLength: 2_000, maxLength: 20_000 }),
);
