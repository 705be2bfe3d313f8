import { errorResponse } from "./error-responses.js";
import type { HttpRequest, HttpResponse } from "./http-types.js";

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
  try {
    const response = await route(request);
    logger.info("request handled", {
      method: request.method,
      path: request.path,
      status: response.statusCode,
    });
    return response;
  } catch (error) {
    const { response, unexpected } = errorResponse(error);
    if (unexpected)
      logger.error("request failed", { method: request.method, path: request.path, error: error as Error });
    else
      logger.info("request refused", {
        method: request.method,
        path: request.path,
        status: response.statusCode,
        reason: (error as Error).message,
      });
    return response;
  }
}
