import type { FieldError } from "../domain/confirmation/confirmation.js";

/** Typed request errors. The HTTP layer maps them to status codes in one place (functions/http/responses.ts). */

export class InvalidJsonError extends Error {
  override name = "InvalidJsonError";
}

export class InvalidRequestError extends Error {
  override name = "InvalidRequestError";
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly errors: FieldError[]) {
    super(errors.map((error) => `${error.field}: ${error.message}`).join("; "));
  }
}

export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
}

export class UnauthorizedError extends Error {
  override name = "UnauthorizedError";
}

/** Refused: wrong credentials (a wrong token; a missing one is 401), or a request refused whoever sends it (e.g. a state-changing request from another site). */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

export class NotFoundError extends Error {
  override name = "NotFoundError";
}

export class ConflictError extends Error {
  override name = "ConflictError";
}
