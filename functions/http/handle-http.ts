import { errorResponse } from "./error-responses.js";
import { type HttpRequest, type HttpResponse, truncateForLog } from "./http-types.js";

/** The two log calls the HTTP layer makes; Powertools' Logger and the local console logger both fit. */
export interface HttpLogger {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/**
 * Runs one request through a route and turns every failure into a JSON answer. Bad input never
 * becomes a 500: only an unexpected error does, and that one is logged with its stack.
 */
export async function handleHttp(
  request: HttpRequest,
  route: (request: HttpRequest) => Promise<HttpResponse>,
  logger: HttpLogger,
): Promise<HttpResponse> {
  // What is logged of a request is capped: a client can send a 10 KB path or method.
  const method = truncateForLog(request.method);
  const path = truncateForLog(request.path);
  try {
    const response = await route(request);
    logger.info("request handled", {
      method,
      path,
      status: response.statusCode,
    });
    return response;
  } catch (error) {
    const { response, unexpected } = errorResponse(error);
    if (unexpected) logger.error("request failed", { method, path, error: error as Error });
    else
      logger.info("request refused", {
        method,
        path,
        status: response.statusCode,
        reason: truncateForLog((error as Error).message),
      });
    return response;
  }
}
