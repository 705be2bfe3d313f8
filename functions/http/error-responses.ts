import {
  ConflictError,
  ForbiddenError,
  InvalidJsonError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from "../use-cases/errors.js";
import { type HttpResponse, json } from "./http-types.js";

/** A path that exists with other methods: 405 with an Allow header. */
export class MethodNotAllowedError extends Error {
  override name = "MethodNotAllowedError";
  constructor(
    message: string,
    readonly allowed: string[],
  ) {
    super(message);
  }
}

/** The one place where typed errors become status codes. Anything else is a 500 and is logged by the caller. */
export function errorResponse(error: unknown): { response: HttpResponse; unexpected: boolean } {
  if (error instanceof ValidationError) {
    return { response: json(422, { error: "validation failed", errors: error.errors }), unexpected: false };
  }
  if (error instanceof InvalidRequestError) {
    return {
      response: json(400, { error: error.message, ...(error.errors.length ? { errors: error.errors } : {}) }),
      unexpected: false,
    };
  }
  if (error instanceof MethodNotAllowedError) {
    const response = json(405, { error: error.message });
    response.headers.allow = [...new Set(error.allowed)].join(", ");
    return { response, unexpected: false };
  }
  const mapped: Array<[new (...args: never[]) => Error, number]> = [
    [InvalidJsonError, 400],
    [UnauthorizedError, 401],
    [ForbiddenError, 403],
    [NotFoundError, 404],
    [ConflictError, 409],
    [PayloadTooLargeError, 413],
  ];
  for (const [type, statusCode] of mapped) {
    if (error instanceof type)
      return { response: json(statusCode, { error: error.message }), unexpected: false };
  }
  return { response: json(500, { error: "internal error" }), unexpected: true };
}
