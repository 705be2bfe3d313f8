import { SIGNATURE_HEADER } from "../domain/confirmation/webhook-signature.js";
import { type IngestConfirmationsDeps, ingestConfirmations } from "../use-cases/ingest-confirmations.js";
import { type HttpRequest, type HttpResponse, json } from "./http-types.js";

/** Status of a single confirmation's outcome; a batch always answers 200 with one result per item. */
const SINGLE_STATUS = { accepted: 201, duplicate: 200, conflict: 409, rejected: 422 } as const;

/** POST /v1/confirmations: the public, signed webhook. */
export async function postConfirmations(
  request: HttpRequest,
  deps: IngestConfirmationsDeps,
): Promise<HttpResponse> {
  const result = await ingestConfirmations(
    { rawBody: request.body, signatureHeader: request.headers[SIGNATURE_HEADER] },
    deps,
  );
  if (!result.batch) {
    const [only] = result.results;
    if (!only) throw new Error("a single confirmation produced no result");
    return json(SINGLE_STATUS[only.status], only);
  }
  const counts = { accepted: 0, duplicate: 0, conflict: 0, rejected: 0 };
  for (const item of result.results) counts[item.status] += 1;
  return json(200, { counts, results: result.results });
}
